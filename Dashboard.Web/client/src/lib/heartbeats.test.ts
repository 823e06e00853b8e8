import { describe, expect, it } from 'vitest'
import { hourColumns, intervalColumns, mergeHeartbeats, stateSegments } from './heartbeats'

const hb = (sensorTime: string) => ({ sensorTime, receivedAt: sensorTime })

describe('mergeHeartbeats', () => {
  it('orders by sensor time, keeps one per instant and the newest few', () => {
    const merged = mergeHeartbeats(
      [hb('2026-11-28T10:00:10Z'), hb('2026-11-28T10:00:00Z')],
      [hb('2026-11-28T10:00:05Z'), hb('2026-11-28T10:00:10.000Z'), hb('2026-11-28T10:00:15Z')],
      3,
    )
    expect(merged.map(h => h.sensorTime)).toEqual(['2026-11-28T10:00:05Z', '2026-11-28T10:00:10Z', '2026-11-28T10:00:15Z'])
  })
})

describe('intervalColumns', () => {
  it('gives each heartbeat the gap since the previous one', () => {
    const [t, gaps] = intervalColumns([hb('2026-11-28T10:00:00Z'), hb('2026-11-28T10:00:05Z'), hb('2026-11-28T10:00:17Z')])
    expect(t[1]! - t[0]!).toBe(5)
    expect(gaps).toEqual([null, 5, 12])
  })
})

describe('stateSegments', () => {
  const at = (s: string) => Date.parse(`2026-11-28T${s}Z`)

  it('splits the window at each flip', () => {
    const flips = [
      { from: 'late', to: 'down', at: '2026-11-28T10:20:00Z' },
      { from: 'up', to: 'late', at: '2026-11-28T10:10:00Z' },
    ] as const
    expect(stateSegments(flips, 'down', at('10:00:00'), at('10:30:00'))).toEqual([
      { state: 'up', from: at('10:00:00'), to: at('10:10:00') },
      { state: 'late', from: at('10:10:00'), to: at('10:20:00') },
      { state: 'down', from: at('10:20:00'), to: at('10:30:00') },
    ])
  })

  it('starts a window after an earlier flip in that flip\'s state', () => {
    const flips = [{ from: 'new', to: 'up', at: '2026-11-28T08:00:00Z' }] as const
    expect(stateSegments(flips, 'up', at('10:00:00'), at('11:00:00'))).toEqual([{ state: 'up', from: at('10:00:00'), to: at('11:00:00') }])
  })

  it('is one segment of the current state without flips', () => {
    expect(stateSegments([], 'new', at('10:00:00'), at('11:00:00'))).toEqual([{ state: 'new', from: at('10:00:00'), to: at('11:00:00') }])
  })
})

describe('hourColumns', () => {
  it('gives each hour its mean interval and longest gap, and leaves hours without a gap empty', () => {
    const hours = [
      { hour: '2026-01-01T00:00:00Z', heartbeats: 6, meanIntervalSeconds: 600, longestGapSeconds: 640, silences: 0 },
      { hour: '2026-01-01T02:00:00Z', heartbeats: 1, meanIntervalSeconds: null, longestGapSeconds: 7200, silences: 1 },
    ]
    const start = Date.parse('2026-01-01T00:00:00Z') / 1000
    expect(hourColumns(hours)).toEqual([[start, start + 7200], [600, null], [640, 7200]])
  })
})
