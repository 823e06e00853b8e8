// The Analytics page's pictures: the Kaplan–Meier curve with its band (GET /api/stats/survival) and the fleet by
// label (GET /api/stats/labels/{key}), turned into what the chart and the table draw.

import type uPlot from 'uplot'
import { formatCount, formatDays, formatDuration } from './format'
import { withQuery } from './router'
import { SENSOR_STATES, type SensorState, type StateCounts } from './types'

export interface SurvivalPoint {
  days: number
  survival: number
  lower: number
  upper: number
  atRisk: number
  events: number
  censored: number
}

export interface SurvivalCurve {
  points: SurvivalPoint[]
  summary: { medianDays: number | null; restrictedMeanDays: number; horizonDays: number; lives: number; ended: number }
}

export interface LabelGroup extends StateCounts {
  value: string | null
}

export interface LabelBreakdown {
  key: string
  groups: LabelGroup[]
  more: boolean
}

/** The chart's columns: days, then survival, the band's upper and lower edges (as percentages, 0–100). */
export function survivalColumns(points: SurvivalPoint[]): uPlot.AlignedData {
  return [
    points.map(p => p.days),
    points.map(p => p.survival * 100),
    points.map(p => p.upper * 100),
    points.map(p => p.lower * 100),
  ]
}

/** What the curve says, in words (for the caption and screen readers). */
export function describeSurvival(curve: SurvivalCurve, meanLifespanDays: number | null): string {
  const { summary } = curve
  if (summary.lives === 0) {
    return 'No sensor has been heard yet: there is no lifespan to draw.'
  }
  const median = summary.medianDays != null
    ? `half the sensors live longer than ${formatDays(summary.medianDays)}`
    : 'more than half the sensors are still alive at the longest life observed'
  const mean = meanLifespanDays != null ? `; mean lifespan of ended lives ${formatDays(meanLifespanDays)}` : ''
  return `${formatCount(summary.lives)} lives, ${formatCount(summary.ended)} ended: ${median}${mean}.`
}

/** The sensor list filtered to one value of the label; none for the sensors that lack the label. */
export function labelListLink(key: string, value: string | null): string | null {
  return value == null ? null : withQuery('/sensors', { label: `${key}:${value}` })
}

/** Each state's share of a group, for the stacked bar (states with no sensor left out). */
export function stateShares(group: LabelGroup): { state: SensorState; count: number; percent: number }[] {
  if (group.total === 0) {
    return []
  }
  return SENSOR_STATES.filter(state => group[state] > 0)
    .map(state => ({ state, count: group[state], percent: (group[state] / group.total) * 100 }))
}

/** A label key the API accepts (1–200 characters, no ':'), or why not. */
export function labelKeyError(key: string): string | null {
  if (key.trim() === '') return 'Give a label key, e.g. site.'
  if (key.includes(':')) return 'A label key cannot contain ":".'
  if (key.length > 200) return 'A label key has at most 200 characters.'
  return null
}

export interface IntervalDistribution {
  sensors: number
  p50Seconds: number | null
  p95Seconds: number | null
  buckets: { fromSeconds: number; toSeconds: number; sensors: number }[]
}

/** The histogram's rows: each bucket's range in words and its bar's length against the fullest bucket. */
export function intervalRows(distribution: IntervalDistribution): { range: string; sensors: number; percentOfMax: number }[] {
  const max = Math.max(0, ...distribution.buckets.map(b => b.sensors))
  return distribution.buckets.map(b => ({
    range: `${formatDuration(b.fromSeconds)} – ${formatDuration(b.toSeconds)}`,
    sensors: b.sensors,
    percentOfMax: max === 0 ? 0 : (b.sensors / max) * 100,
  }))
}

export function describeIntervals(distribution: IntervalDistribution): string {
  if (distribution.sensors === 0 || distribution.p50Seconds == null || distribution.p95Seconds == null) {
    return 'No live sensor has been heard twice yet.'
  }
  return `${formatCount(distribution.sensors)} live sensors: half report at least every ${formatDuration(distribution.p50Seconds)} ` +
    `on average, 95 % at least every ${formatDuration(distribution.p95Seconds)}.`
}
