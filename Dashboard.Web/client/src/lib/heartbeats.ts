// A sensor's heartbeats and flips as chart and timeline data.

import type { FlipItem, HeartbeatItem, HourItem, SensorState } from './types'

/** Heartbeats in sensor-time order without duplicates (a re-sent heartbeat is one), the newest `max` kept. */
export function mergeHeartbeats(existing: readonly HeartbeatItem[], incoming: readonly HeartbeatItem[], max = 5000): HeartbeatItem[] {
  const byTime = new Map<number, HeartbeatItem>()
  for (const heartbeat of [...existing, ...incoming]) {
    const t = Date.parse(heartbeat.sensorTime)
    if (!Number.isNaN(t) && !byTime.has(t)) {
      byTime.set(t, heartbeat)
    }
  }
  const sorted = [...byTime.entries()].sort(([a], [b]) => a - b).map(([, heartbeat]) => heartbeat)
  return sorted.length > max ? sorted.slice(sorted.length - max) : sorted
}

/**
 * Chart columns: x = each heartbeat's sensor time (s since epoch), y = seconds since the previous heartbeat
 * (null for the first: no interval yet). Input in time order (mergeHeartbeats).
 */
export function intervalColumns(heartbeats: readonly HeartbeatItem[]): [number[], (number | null)[]] {
  const times = heartbeats.map(h => Date.parse(h.sensorTime) / 1000)
  return [times, times.map((t, i) => (i === 0 ? null : t - (times[i - 1] ?? t)))]
}

export interface StateSegment {
  state: SensorState
  /** ms since the epoch */
  from: number
  to: number
}

/**
 * The states a sensor was in between `from` and `to` (ms), from its flips (any order) and its current state:
 * before the first flip it was in that flip's `from` state; after the last, in `current`.
 */
export function stateSegments(flips: readonly FlipItem[], current: SensorState, from: number, to: number): StateSegment[] {
  const ordered = [...flips].map(f => ({ ...f, t: Date.parse(f.at) })).filter(f => !Number.isNaN(f.t)).sort((a, b) => a.t - b.t)
  const segments: StateSegment[] = []
  let state: SensorState = ordered[0]?.from ?? current
  let start = from
  for (const flip of ordered) {
    if (flip.t > start && flip.t <= to) {
      segments.push({ state, from: start, to: flip.t })
      start = flip.t
    } else if (flip.t > to) {
      break
    }
    state = flip.to
  }
  if (start < to) {
    segments.push({ state: ordered.length > 0 ? state : current, from: start, to })
  }
  // Neighbours in the same state (e.g. a flip before the window) read as one.
  return segments.reduce<StateSegment[]>((merged, segment) => {
    const last = merged[merged.length - 1]
    if (last && last.state === segment.state && last.to === segment.from) {
      last.to = segment.to
    } else {
      merged.push({ ...segment })
    }
    return merged
  }, [])
}

/** Chart columns of hourly roll-ups: hour (s since the epoch), mean interval, longest gap; hours without a gap are gaps in the lines. */
export function hourColumns(hours: readonly HourItem[]): [number[], (number | null)[], (number | null)[]] {
  return [hours.map(h => Date.parse(h.hour) / 1000), hours.map(h => h.meanIntervalSeconds), hours.map(h => h.longestGapSeconds)]
}
