// Failure-risk figures for people: probabilities as percentages, the predicted window relative to now, the model.

import { formatCount, formatDateTime, NO_VALUE } from './format'
import type { RiskModel } from './types'

const HOUR = 3600_000
const DAY = 24 * HOUR

/** A probability (0–1) as a whole percentage: 82 %; "< 1 %" and "> 99 %" rather than a misleading 0 or 100. */
export function formatRisk(probability: number | null | undefined): string {
  if (typeof probability !== 'number' || !Number.isFinite(probability)) {
    return NO_VALUE
  }
  const percent = probability * 100
  if (percent > 0 && percent < 0.5) return '< 1 %'
  if (percent < 100 && percent >= 99.5) return '> 99 %'
  return `${Math.round(Math.min(100, Math.max(0, percent)))} %`
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`
}

/**
 * When the failure is expected, relative to `now` (ms since epoch): "in 1–4 days", "in about 6 hours",
 * "within 3 days" (the window has begun), "overdue" (it has passed). Hours under two days, minutes under two hours.
 */
export function formatWindow(start: string | null | undefined, end: string | null | undefined, now: number): string {
  const from = Date.parse(start ?? '')
  const to = Date.parse(end ?? '')
  if (Number.isNaN(from) || Number.isNaN(to)) {
    return NO_VALUE
  }
  const untilStart = from - now
  const untilEnd = Math.max(to, from) - now
  if (untilEnd <= 0) {
    return 'overdue'
  }
  const [size, unit] = untilEnd < 2 * HOUR ? [60_000, 'minute'] : untilEnd < 2 * DAY ? [HOUR, 'hour'] : [DAY, 'day']
  const high = Math.max(1, Math.round(untilEnd / size))
  const low = Math.min(high, Math.round(Math.max(0, untilStart) / size))
  if (low === 0) {
    return `within ${plural(high, unit)}`
  }
  return low === high ? `in about ${plural(high, unit)}` : `in ${low}–${high} ${unit}s`
}

/** The window's absolute ends, for a tooltip. */
export function describeWindow(start: string | null | undefined, end: string | null | undefined): string {
  return `between ${formatDateTime(start)} and ${formatDateTime(end)}`
}

/** "prior model" before the fleet's own fit; "fitted on 1,234 examples (56 failures)" after; "no model yet" before either. */
export function describeModel(model: RiskModel | null | undefined): string {
  if (!model) {
    return 'no model yet'
  }
  if (model.kind !== 'fitted') {
    return 'prior model'
  }
  return `fitted on ${formatCount(model.examples)} example${model.examples === 1 ? '' : 's'} (${formatCount(model.failures)} failure${model.failures === 1 ? '' : 's'})`
}

export interface RiskHistory {
  sensorId: number
  threshold: number
  points: { at: string; risk7d: number; risk30d: number }[]
}

/**
 * The risk chart's columns: time (s since the epoch), 7-day and 30-day risk and the threshold, as percentages. The last
 * point is carried to `now` (a score holds until the next one, and a steady sensor gets a point only hourly), and at
 * least a minute on, so that a first score alone is still a line.
 */
export function riskHistoryColumns(history: RiskHistory, now: number): [number[], number[], number[], number[]] {
  const points = history.points.map(p => ({ t: Date.parse(p.at) / 1000, r7: p.risk7d * 100, r30: p.risk30d * 100 }))
  const last = points[points.length - 1]
  if (last) {
    points.push({ ...last, t: Math.max(now / 1000, last.t + 60) })
  }
  return [points.map(p => p.t), points.map(p => p.r7), points.map(p => p.r30), points.map(() => history.threshold * 100)]
}
