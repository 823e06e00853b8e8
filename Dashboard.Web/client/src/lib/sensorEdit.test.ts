import { describe, expect, it } from 'vitest'
import { editFormOf, sensorPatch } from './sensorEdit'
import type { SensorDetail } from './types'

const sensor = {
  id: 7, tag: 'boiler-7', labels: { site: 'north', floor: '3' }, state: 'up', stateSince: '', createdAt: '', retiredAt: null,
  retirementReason: null, replacedBy: null, firstHeartbeatAt: null, lastHeartbeatAt: null, lastReceivedAt: null, heartbeatCount: 0,
  timings: {
    expectedIntervalSeconds: 120, graceSeconds: 30, staleAfterSeconds: 600, expectedIntervalIsDefault: false,
    graceIsDefault: true, staleAfterIsDefault: true, lateAt: null, downAt: null,
  },
  intervals: { meanSeconds: null, p50Seconds: null, p95Seconds: null, windowHours: 24, samples: 0 },
  uptime: { last24Hours: null, last7Days: null, last30Days: null }, recentHeartbeats: [], flips: [],
} satisfies SensorDetail

describe('editFormOf', () => {
  it('shows the sensor\'s own timings and leaves the defaulted ones blank', () => {
    expect(editFormOf(sensor)).toEqual({
      tag: 'boiler-7', labels: 'floor=3\nsite=north', expectedIntervalSeconds: '120', graceSeconds: '', staleAfterSeconds: '',
    })
  })
})

describe('sensorPatch', () => {
  it('is empty when nothing changed, whatever the label order', () => {
    expect(sensorPatch(sensor, { ...editFormOf(sensor), labels: 'site=north\nfloor=3\n' })).toEqual({ patch: {}, errors: [] })
  })

  it('sends only what changed, a cleared own timing as null', () => {
    const form = { ...editFormOf(sensor), tag: ' boiler-8 ', expectedIntervalSeconds: '', staleAfterSeconds: '900' }
    expect(sensorPatch(sensor, form)).toEqual({ patch: { tag: 'boiler-8', expectedIntervalSeconds: null, staleAfterSeconds: 900 }, errors: [] })
  })

  it('replaces the labels as a whole', () => {
    expect(sensorPatch(sensor, { ...editFormOf(sensor), labels: 'site=south' }).patch).toEqual({ labels: { site: 'south' } })
  })

  it('names what cannot be sent', () => {
    const { errors } = sensorPatch(sensor, { ...editFormOf(sensor), tag: '  ', labels: 'no separator', graceSeconds: '1.5' })
    expect(errors).toHaveLength(3)
  })
})
