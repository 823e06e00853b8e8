// Which rows of a long list to render: only those in view plus a few either side (fixed row height).

export interface RowRange {
  /** First rendered row. */
  start: number
  /** One past the last rendered row. */
  end: number
}

export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 10): RowRange {
  if (count <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0 }
  }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1
  const start = Math.max(0, Math.min(count - 1, first) - overscan)
  const end = Math.min(count, first + visible + overscan)
  return { start, end: Math.max(start, end) }
}

/** Fetch the next page once the rendered rows come within `threshold` rows of the end of what is loaded. */
export function shouldLoadMore(range: RowRange, loaded: number, hasMore: boolean, loading: boolean, threshold = 200): boolean {
  return hasMore && !loading && range.end >= loaded - threshold
}

/** The row to focus after a navigation key, clamped to the list. */
export function nextRow(current: number, key: string, count: number, pageRows: number): number | null {
  const last = count - 1
  const target =
    key === 'ArrowDown' ? current + 1
    : key === 'ArrowUp' ? current - 1
    : key === 'PageDown' ? current + pageRows
    : key === 'PageUp' ? current - pageRows
    : key === 'Home' ? 0
    : key === 'End' ? last
    : null
  return target === null || count === 0 ? null : Math.max(0, Math.min(last, target))
}
