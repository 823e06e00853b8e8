import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { themeStore } from '../state/theme'
import { useStore } from '../state/store'

export interface ChartSeries {
  label: string
  /** A CSS custom property holding the colour, e.g. "--line-up" (so light/dark both work). */
  color: string
  width?: number
  dash?: number[]
  /** Draw a dot per point (sparse data such as heartbeats). */
  points?: boolean
  /** Format of the legend value. */
  value?: (value: number | null) => string
}

interface ChartProps {
  /** uPlot's aligned data: x (seconds since the epoch), then one column per series. */
  data: uPlot.AlignedData
  series: ChartSeries[]
  height?: number
  yLabel: string
  /** A text summary for assistive technology (the canvas itself says nothing). */
  summary: string
  testId: string
}

/**
 * The colour a palette property gives in the current theme. Read through a colour property: the custom property itself
 * holds a light-dark() pair that only a colour property resolves (the canvas cannot).
 */
function cssColor(element: HTMLElement, name: string): string {
  element.style.color = `var(${name}, #888)`
  const color = getComputedStyle(element).color
  element.style.removeProperty('color')
  return color
}

/** A live time-series chart (uPlot on a canvas): setData on every update, rebuilt only on theme change. */
export function Chart({ data, series, height = 240, yLabel, summary, testId }: ChartProps) {
  const container = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const latest = useRef(data)
  const { theme } = useStore(themeStore)
  const seriesKey = JSON.stringify(series.map(s => [s.label, s.color, s.width, s.dash, s.points]))

  useEffect(() => {
    const element = container.current
    if (!element) {
      return
    }
    const axis = cssColor(element, '--text-muted')
    const grid = cssColor(element, '--grid')
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      scales: { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: yLabel, size: 60 },
      ],
      series: [
        {},
        ...series.map(s => ({
          label: s.label,
          stroke: cssColor(element, s.color),
          width: s.width ?? 2,
          dash: s.dash,
          spanGaps: false,
          points: { show: s.points ?? false, size: 5, fill: cssColor(element, s.color) },
          value: s.value ? (_: uPlot, v: number | null) => s.value!(v) : undefined,
        })),
      ],
    }
    const chart = new uPlot(options, latest.current, element)
    plot.current = chart
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      chart.destroy()
      plot.current = null
    }
    // Rebuilt when the look changes (series is read through seriesKey); data changes go through setData below.
  }, [theme, seriesKey, height, yLabel]) // oxlint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    latest.current = data
    plot.current?.setData(data)
  }, [data])

  return (
    <figure className="chart" data-testid={testId}>
      <div ref={container} role="img" aria-label={summary} />
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  )
}
