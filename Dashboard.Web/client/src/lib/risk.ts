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
