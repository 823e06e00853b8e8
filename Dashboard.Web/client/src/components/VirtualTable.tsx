import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import { nextRow, visibleRange, type RowRange } from '../lib/windowing'

export interface Column<T> {
  key: string
  header: string
  /** Class for the header and cells (widths and which columns narrow screens hide live in the stylesheet). */
  className?: string
  cell: (row: T, index: number) => React.ReactNode
}

interface VirtualTableProps<T> {
  label: string
  rows: readonly T[]
  columns: Column<T>[]
  rowKey: (row: T) => string | number
  rowTestId?: (row: T) => string
  rowHeight?: number
  /** Total rows when known (more than loaded while pages are still coming): for aria-rowcount. */
  totalRows?: number
  onRangeChange?: (range: RowRange) => void
  footer?: React.ReactNode
  testId?: string
}

/**
 * A table that renders only the rows in view (fixed row height), so 100,000 rows scroll like 50. Keyboard: the body
 * is focusable and scrolls with the arrow and page keys; from a link inside a row, ArrowUp/ArrowDown/PageUp/PageDown/
 * Home/End move to the same link of another row.
 */
export function VirtualTable<T>({
  label, rows, columns, rowKey, rowTestId, rowHeight = 40, totalRows, onRangeChange, footer, testId,
}: VirtualTableProps<T>) {
  const body = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [viewport, setViewport] = useState(600)
  const [focusRow, setFocusRow] = useState<number | null>(null)
  const frame = useRef(0)

  useLayoutEffect(() => {
    const element = body.current
    if (!element) {
      return
    }
    setViewport(element.clientHeight)
    const observer = new ResizeObserver(() => setViewport(element.clientHeight))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  const onScroll = useCallback(() => {
    if (frame.current) {
      return
    }
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      setScrollTop(body.current?.scrollTop ?? 0)
    })
  }, [])

  useEffect(() => () => cancelAnimationFrame(frame.current), [])

  const range = visibleRange(scrollTop, viewport, rowHeight, rows.length)
  const { start, end } = range
  const rowCount = rows.length
  const rangeListener = useRef(onRangeChange)
  useEffect(() => {
    rangeListener.current = onRangeChange
  })
  useEffect(() => {
    rangeListener.current?.({ start, end })
  }, [start, end, rowCount])

  // Keyboard moves between rows: scroll the target into view, then focus it once rendered.
  useEffect(() => {
    if (focusRow === null) {
      return
    }
    const target = body.current?.querySelector<HTMLElement>(`[data-row-index="${focusRow}"] a, [data-row-index="${focusRow}"] button`)
    if (target) {
      target.focus({ preventScroll: true })
      setFocusRow(null)
    }
  }, [focusRow, start, end])

  const onKeyDown = (event: React.KeyboardEvent) => {
    const element = body.current
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-row-index]')
    if (!element || !row || !(event.target instanceof HTMLAnchorElement || event.target instanceof HTMLButtonElement)) {
      return
    }
    const target = nextRow(Number(row.dataset.rowIndex), event.key, rows.length, Math.max(1, Math.floor(viewport / rowHeight) - 1))
    if (target === null) {
      return
    }
    event.preventDefault()
    const top = target * rowHeight
    if (top < element.scrollTop) {
      element.scrollTop = top
    } else if (top + rowHeight > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + rowHeight - element.clientHeight
    }
    setScrollTop(element.scrollTop)
    setFocusRow(target)
  }

  const visible = rows.slice(start, end)
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={(totalRows ?? rows.length) + 1} data-testid={testId}>
      <div role="rowgroup" className="vtable-head">
        <div role="row" aria-rowindex={1} className="vtable-row">
          {columns.map(column => (
            <span role="columnheader" key={column.key} className={column.className}>{column.header}</span>
          ))}
        </div>
      </div>
      <div role="rowgroup" className="vtable-body" ref={body} onScroll={onScroll} onKeyDown={onKeyDown} tabIndex={0}
        aria-label={`${label}: scroll with the arrow keys`}>
        <div style={{ height: rows.length * rowHeight, position: 'relative' }}>
          <div style={{ transform: `translateY(${start * rowHeight}px)` }}>
            {visible.map((row, offset) => {
              const index = start + offset
              return (
                <div role="row" key={rowKey(row)} aria-rowindex={index + 2} className="vtable-row" data-row-index={index}
                  data-testid={rowTestId?.(row)} style={{ height: rowHeight }}>
                  {columns.map(column => (
                    <span role="cell" key={column.key} className={column.className}>{column.cell(row, index)}</span>
                  ))}
                </div>
              )
            })}
          </div>
        </div>
        {footer}
      </div>
    </div>
  )
}
