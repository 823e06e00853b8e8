// The fleet as the WebSocket tells it: the latest snapshot (adjusted by transitions newer than it), the history of
// state counts for the chart, the transitions feed and the latest stale report. Pure: (state, messages) → state.

import { formatDuration } from './format'
import {
  SENSOR_STATES, type FleetStats, type Hello, type SensorState, type ServerMessage, type Snapshot, type StaleReport, type StateChanged,
  type StateCounts,
} from './types'

/** One point of the state-count chart (t in seconds since the epoch). */
export interface CountsPoint extends StateCounts {
  t: number
}

export interface Transition extends StateChanged {
  /** Unique within the feed (a sensor can flip twice in the same millisecond only in theory; the sequence decides). */
  key: string
}

export interface LiveState {
  hello: Hello | null
  /** The latest snapshot, its counts moved by every transition after `snapshot.at`; null until the first one. */
  snapshot: Snapshot | null
  /** When the server computed the snapshot the counts start from (transitions at or before it are already in). */
  snapshotAt: number | null
  history: CountsPoint[]
  /** Newest first. */
  transitions: Transition[]
  stale: StaleReport | null
  /** Counts every stateChanged ever applied: a cheap "something moved" signal for lists that refetch. */
  transitionCount: number
  sequence: number
}

export const MAX_HISTORY = 720 // one hour of 5 s snapshots
export const MAX_TRANSITIONS = 100

export const initialLiveState: LiveState = {
  hello: null,
  snapshot: null,
  snapshotAt: null,
  history: [],
  transitions: [],
  stale: null,
  transitionCount: 0,
  sequence: 0,
}

/** The states with a count of their own: all of them (a state this build does not know moves no count). */
const COUNTED: readonly SensorState[] = SENSOR_STATES

/** The counts alone, without the figures that come with them. */
function countsOf(counts: StateCounts): StateCounts {
  return { total: counts.total, new: counts.new, up: counts.up, late: counts.late, down: counts.down, retired: counts.retired }
}

function pointOf(snapshot: Snapshot): CountsPoint {
  return { t: Date.parse(snapshot.at) / 1000, ...countsOf(snapshot) }
}

/** Adds a point in time order; a point at the same instant replaces the earlier one; the oldest fall off. */
export function appendPoint(history: readonly CountsPoint[], point: CountsPoint, max = MAX_HISTORY): CountsPoint[] {
  if (!Number.isFinite(point.t)) {
    return history as CountsPoint[]
  }
  const last = history[history.length - 1]
  let next: CountsPoint[]
  if (!last || point.t > last.t) {
    next = [...history, point]
  } else if (point.t === last.t) {
    next = [...history.slice(0, -1), point]
  } else {
    // Out of order (e.g. GET /api/stats answered after a WebSocket snapshot): keep time order.
    next = [...history.filter(p => p.t !== point.t), point].sort((a, b) => a.t - b.t)
  }
  return next.length > max ? next.slice(next.length - max) : next
}

function applySnapshot(state: LiveState, snapshot: Snapshot): LiveState {
  const at = Date.parse(snapshot.at)
  const history = appendPoint(state.history, pointOf(snapshot))
  // An older snapshot (a late HTTP answer) adds history but does not replace newer figures.
  if (state.snapshotAt !== null && at < state.snapshotAt) {
    return { ...state, history }
  }
  return { ...state, snapshot, snapshotAt: at, history }
}

function applyStateChanged(state: LiveState, change: StateChanged): LiveState {
  const sequence = state.sequence + 1
  const transition: Transition = { ...change, key: `${change.sensorId}-${change.at}-${sequence}` }
  const transitions = [transition, ...state.transitions].slice(0, MAX_TRANSITIONS)
  let snapshot = state.snapshot
  const at = Date.parse(change.at)
  // Counts: only transitions the snapshot has not seen yet, and only real moves between counted states.
  if (snapshot && state.snapshotAt !== null && at > state.snapshotAt && change.from !== change.to
    && COUNTED.includes(change.from) && COUNTED.includes(change.to)) {
    snapshot = {
      ...snapshot,
      [change.from]: Math.max(0, snapshot[change.from] - 1),
      [change.to]: snapshot[change.to] + 1,
    }
  }
  return { ...state, snapshot, transitions, sequence, transitionCount: state.transitionCount + 1 }
}

/** One server message; heartbeats and (un)subscribe acknowledgements are not fleet state and are ignored here. */
export function reduceLive(state: LiveState, message: ServerMessage): LiveState {
  switch (message.type) {
    case 'hello':
      return { ...state, hello: message.data }
    case 'snapshot':
      return applySnapshot(state, message.data)
    case 'stateChanged':
      return applyStateChanged(state, message.data)
    case 'stale':
      return state.stale && Date.parse(state.stale.at) > Date.parse(message.data.at) ? state : { ...state, stale: message.data }
    default:
      return state
  }
}

/** A batch of messages (one render for all of them). */
export function reduceLiveBatch(state: LiveState, messages: readonly ServerMessage[]): LiveState {
  return messages.reduce(reduceLive, state)
}

/** GET /api/stats as a snapshot (its extra figures — stale count, Kaplan–Meier — are shown from the stats). */
export function snapshotFromStats(stats: FleetStats): Snapshot {
  return {
    at: stats.at,
    ...countsOf(stats),
    percentStale: stats.percentStale,
    meanIntervalSeconds: stats.meanIntervalSeconds,
    meanLifespanDays: stats.meanLifespanDays,
    heartbeatsPerSecond: stats.heartbeatsPerSecond,
    lagSeconds: stats.lagSeconds,
    behind: stats.behind,
  }
}

/** What the overview says while the monitor is behind its own fleet; null while it keeps pace. */
export function behindNotice(snapshot: Snapshot | null | undefined): string | null {
  if (!snapshot?.behind) {
    return null
  }
  const by = snapshot.lagSeconds == null ? 'an unknown time (nothing stored yet)' : formatDuration(snapshot.lagSeconds)
  return `Behind by ${by}: heartbeats are queued faster than they are stored. Sensors whose heartbeats are still queued are not marked late or down until they are read.`
}

/** The chart's columns (uPlot's aligned data): time, then one array per series in `keys` order. */
export function historyColumns(history: readonly CountsPoint[], keys: readonly (keyof StateCounts)[]): number[][] {
  return [history.map(p => p.t), ...keys.map(key => history.map(p => p[key]))]
}
