import { describe, expect, it } from 'vitest'
import {
  appendPoint, behindNotice, historyColumns, initialLiveState, MAX_TRANSITIONS, reduceLive, reduceLiveBatch, snapshotFromStats, type CountsPoint,
} from './live'
import type { ServerMessage, Snapshot, StateChanged } from './types'

function snapshot(at: string, counts: Partial<Snapshot> = {}): ServerMessage {
  return {
    type: 'snapshot',
    data: {
      at, total: 10, new: 1, up: 6, late: 1, down: 1, retired: 1, percentStale: 10,
      meanIntervalSeconds: 5, meanLifespanDays: 3, heartbeatsPerSecond: 2, ...counts,
    },
  }
}

function changed(sensorId: number, from: StateChanged['from'], to: StateChanged['to'], at: string): ServerMessage {
  return { type: 'stateChanged', data: { sensorId, tag: `Sensor ${sensorId}`, from, to, at, lastHeartbeatAt: null } }
}

describe('snapshots', () => {
  it('become the tiles and a chart point', () => {
    const state = reduceLive(initialLiveState, snapshot('2026-11-28T10:00:00Z', { up: 7 }))
    expect(state.snapshot?.up).toBe(7)
    expect(state.history).toEqual([{ t: Date.parse('2026-11-28T10:00:00Z') / 1000, total: 10, new: 1, up: 7, late: 1, down: 1, retired: 1 }])
  })

  it('arriving together all reach the chart; the newest wins the tiles', () => {
    const state = reduceLiveBatch(initialLiveState, [
      snapshot('2026-11-28T10:00:00Z', { up: 1 }),
      snapshot('2026-11-28T10:00:05Z', { up: 2 }),
      snapshot('2026-11-28T10:00:10Z', { up: 3 }),
    ])
    expect(state.snapshot?.up).toBe(3)
    expect(state.history.map(p => p.up)).toEqual([1, 2, 3])
  })

  it('an older one (a late HTTP answer) does not replace newer figures', () => {
    const state = reduceLiveBatch(initialLiveState, [snapshot('2026-11-28T10:00:05Z', { up: 5 }), snapshot('2026-11-28T10:00:00Z', { up: 1 })])
    expect(state.snapshot?.up).toBe(5)
    expect(state.history.map(p => p.up)).toEqual([1, 5])
  })

  it('are taken from GET /api/stats', () => {
    const s = snapshotFromStats({
      at: '2026-11-28T10:00:00Z', total: 3, new: 0, up: 2, late: 0, down: 1, retired: 0, stale: 1, staleThresholdSeconds: 600,
      percentStale: 33.3, meanIntervalSeconds: 5, meanLifespanDays: null, heartbeatsPerSecond: 0.6,
      kaplanMeier: { medianDays: null, restrictedMeanDays: 1, horizonDays: 2, lives: 3, ended: 0 }, lagSeconds: 12.5, behind: true,
    })
    expect(s).toMatchObject({ lagSeconds: 12.5, behind: true })
    expect(reduceLive(initialLiveState, { type: 'snapshot', data: s }).snapshot).toEqual(s)
  })
})

describe('stateChanged', () => {
  const base = reduceLive(initialLiveState, snapshot('2026-11-28T10:00:00Z'))

  it('moves the counts when it is newer than the snapshot', () => {
    const state = reduceLive(base, changed(1, 'up', 'down', '2026-11-28T10:00:01Z'))
    expect(state.snapshot).toMatchObject({ up: 5, down: 2, total: 10 })
  })

  it('does not count a transition the snapshot already includes', () => {
    const state = reduceLive(base, changed(1, 'up', 'down', '2026-11-28T09:59:59Z'))
    expect(state.snapshot).toMatchObject({ up: 6, down: 1 })
    expect(state.transitions).toHaveLength(1) // still in the feed
  })

  it('ignores a transition from a state to itself', () => {
    expect(reduceLive(base, changed(1, 'retired', 'retired', '2026-11-28T10:00:01Z')).snapshot).toMatchObject({ retired: 1 })
  })

  it('never counts below zero', () => {
    const state = reduceLiveBatch(base, [changed(1, 'late', 'down', '2026-11-28T10:00:01Z'), changed(2, 'late', 'down', '2026-11-28T10:00:02Z')])
    expect(state.snapshot?.late).toBe(0)
  })

  it('feeds the transitions list, newest first, capped', () => {
    const many = Array.from({ length: MAX_TRANSITIONS + 5 }, (_, i) => changed(i, 'up', 'late', `2026-11-28T10:00:${String(i % 60).padStart(2, '0')}Z`))
    const state = reduceLiveBatch(base, many)
    expect(state.transitions).toHaveLength(MAX_TRANSITIONS)
    expect(state.transitions[0]?.sensorId).toBe(MAX_TRANSITIONS + 4)
    expect(new Set(state.transitions.map(t => t.key)).size).toBe(MAX_TRANSITIONS)
    expect(state.transitionCount).toBe(MAX_TRANSITIONS + 5)
  })

  it('before any snapshot only feeds the list', () => {
    const state = reduceLive(initialLiveState, changed(1, 'up', 'down', '2026-11-28T10:00:01Z'))
    expect(state.snapshot).toBeNull()
    expect(state.transitions).toHaveLength(1)
  })

  it('a new snapshot resets the counts to the server figures', () => {
    const moved = reduceLive(base, changed(1, 'up', 'down', '2026-11-28T10:00:01Z'))
    expect(reduceLive(moved, snapshot('2026-11-28T10:00:05Z', { up: 6, down: 1 })).snapshot).toMatchObject({ up: 6, down: 1 })
  })
})

describe('stale reports and hello', () => {
  it('keep the latest stale report', () => {
    const report = (at: string, count: number): ServerMessage => ({ type: 'stale', data: { at, threshold: '00:10:00', count, sensorIds: [1] } })
    const state = reduceLiveBatch(initialLiveState, [report('2026-11-28T10:00:30Z', 4), report('2026-11-28T10:00:00Z', 9)])
    expect(state.stale?.count).toBe(4)
  })

  it('remember who the gateway says we are', () => {
    const state = reduceLive(initialLiveState, { type: 'hello', data: { instance: 'g1', username: 'ann', role: 'Viewer', serverTime: '2026-11-28T10:00:00Z' } })
    expect(state.hello?.username).toBe('ann')
  })

  it('ignore heartbeats (they go to the sensor page, not the fleet)', () => {
    const message: ServerMessage = { type: 'heartbeat', data: { sensorId: 1, sensorTime: '2026-11-28T10:00:00Z', receivedAt: '2026-11-28T10:00:00Z' } }
    expect(reduceLive(initialLiveState, message)).toBe(initialLiveState)
  })
})

describe('history', () => {
  const point = (t: number, up = 0): CountsPoint => ({ t, total: 0, new: 0, up, late: 0, down: 0, retired: 0 })

  it('replaces a point at the same instant and drops the oldest beyond the cap', () => {
    let history: CountsPoint[] = []
    for (let t = 1; t <= 5; t++) {
      history = appendPoint(history, point(t), 3)
    }
    history = appendPoint(history, point(5, 9), 3)
    expect(history.map(p => [p.t, p.up])).toEqual([[3, 0], [4, 0], [5, 9]])
  })

  it('gives uPlot columns', () => {
    expect(historyColumns([point(1, 2), point(2, 3)], ['up', 'down'])).toEqual([[1, 2], [2, 3], [0, 0]])
  })
})

describe('behindNotice', () => {
  const snapshot = {
    at: '2026-12-03T10:00:00Z', total: 1, new: 0, up: 1, late: 0, down: 0, retired: 0, percentStale: 0,
    meanIntervalSeconds: null, meanLifespanDays: null, heartbeatsPerSecond: 0,
  }

  it('says nothing while the monitor keeps pace', () => {
    expect(behindNotice({ ...snapshot, lagSeconds: 0.2, behind: false })).toBeNull()
    expect(behindNotice(snapshot)).toBeNull()
    expect(behindNotice(null)).toBeNull()
  })

  it('says by how much it is behind, and what that means for late and down', () => {
    const notice = behindNotice({ ...snapshot, lagSeconds: 42, behind: true })
    expect(notice).toContain('Behind by 42 s')
    expect(notice).toContain('not marked late or down')
  })

  it('says the lag is unknown when nothing has been stored yet', () => {
    expect(behindNotice({ ...snapshot, lagSeconds: null, behind: true })).toContain('unknown')
  })
})
