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
  /** Draw as steps (a value holds until the next point), as a Kaplan–Meier curve is. */
  stepped?: boolean
}

/** A vertical line at one x value, labelled (e.g. the mean lifespan). */
export interface ChartMarker {
  x: number
  label: string
  color: string
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
  /** The x axis is time (seconds since the epoch; the default) or plain numbers, named by xLabel. */
  xTime?: boolean
  xLabel?: string
  /** Shade between two series (their indexes in series, from 0), e.g. a confidence band's upper and lower edges. */
  band?: { upper: number; lower: number; color: string }
  markers?: ChartMarker[]
  /** A fixed y range (e.g. 0–100 for percentages) instead of one fitted to the data. */
  yRange?: [number, number]
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

/** rgb(r, g, b) → rgba(r, g, b, alpha): a band shaded in its series' colour without hiding the grid. */
function withAlpha(color: string, alpha: number): string {
  const rgb = color.match(/\d+(\.\d+)?/g)?.slice(0, 3)
  return rgb ? `rgba(${rgb.join(', ')}, ${alpha})` : color
}

function drawMarkers(chart: uPlot, markers: ChartMarker[]) {
  const { ctx, bbox } = chart
  const ratio = window.devicePixelRatio || 1
  ctx.save()
  for (const marker of markers) {
    const x = chart.valToPos(marker.x, 'x', true)
    if (x < bbox.left || x > bbox.left + bbox.width) continue
    ctx.strokeStyle = marker.color
    ctx.fillStyle = marker.color
    ctx.lineWidth = ratio
    ctx.setLineDash([4 * ratio, 4 * ratio])
    ctx.beginPath()
    ctx.moveTo(x, bbox.top)
    ctx.lineTo(x, bbox.top + bbox.height)
    ctx.stroke()
    ctx.font = `${12 * ratio}px system-ui, sans-serif`
    ctx.textAlign = 'left' // uPlot leaves the axes' alignment on the context
    ctx.textBaseline = 'top'
    ctx.fillText(marker.label, x + 4 * ratio, bbox.top + 4 * ratio)
  }
  ctx.restore()
}

/** A chart on a canvas (uPlot), over time unless told otherwise: setData on every update, rebuilt only on theme change. */
export function Chart({ data, series, height = 240, yLabel, summary, testId, xTime = true, xLabel, band, markers = [], yRange }: ChartProps) {
  const container = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const latest = useRef(data)
  const { theme } = useStore(themeStore)
  const seriesKey = JSON.stringify([series.map(s => [s.label, s.color, s.width, s.dash, s.points, s.stepped]), band, markers, xTime, xLabel, yRange])

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
      scales: yRange ? { x: { time: xTime }, y: { range: yRange } } : { x: { time: xTime } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: xLabel },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: yLabel, size: 60 },
      ],
      series: [
        xTime ? {} : { label: xLabel, value: (_: uPlot, v: number | null) => (v == null ? '—' : v.toFixed(2)) },
        ...series.map(s => ({
          label: s.label,
          stroke: cssColor(element, s.color),
          width: s.width ?? 2,
          dash: s.dash,
          spanGaps: false,
          points: { show: s.points ?? false, size: 5, fill: cssColor(element, s.color) },
          value: s.value ? (_: uPlot, v: number | null) => s.value!(v) : undefined,
          paths: s.stepped ? uPlot.paths.stepped?.({ align: 1 }) : undefined,
        })),
      ],
      bands: band ? [{ series: [band.upper + 1, band.lower + 1], fill: withAlpha(cssColor(element, band.color), 0.18) }] : undefined,
      hooks: markers.length > 0 ? { draw: [chart => drawMarkers(chart, markers.map(m => ({ ...m, color: cssColor(element, m.color) })))] } : undefined,
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
