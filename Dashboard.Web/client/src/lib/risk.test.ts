import { describe, expect, it } from 'vitest'
import { describeModel, formatRisk, formatWindow, maintenanceQueuePath, readSensorRisk } from './risk'
import type { RiskItem } from './types'

describe('formatRisk', () => {
  it('shows a probability as a whole percentage', () => {
    expect(formatRisk(0.823)).toBe('82 %')
    expect(formatRisk(0.5)).toBe('50 %')
    expect(formatRisk(0)).toBe('0 %')
    expect(formatRisk(1)).toBe('100 %')
  })

  it('never rounds a small risk to 0 or a large one to 100', () => {
    expect(formatRisk(0.001)).toBe('< 1 %')
    expect(formatRisk(0.998)).toBe('> 99 %')
  })

  it('shows a dash for unknown values', () => {
    expect(formatRisk(null)).toBe('—')
    expect(formatRisk(undefined)).toBe('—')
    expect(formatRisk(Number.NaN)).toBe('—')
  })
})

describe('formatWindow', () => {
  const now = Date.parse('2026-11-28T10:00:00Z')
  const at = (hours: number) => new Date(now + hours * 3600_000).toISOString()

  it('gives a range in days when the window ends two days or more ahead', () => {
    expect(formatWindow(at(24), at(96), now)).toBe('in 1–4 days')
    expect(formatWindow(at(30), at(100), now)).toBe('in 1–4 days')
  })

  it('gives hours under two days and minutes under two hours', () => {
    expect(formatWindow(at(5), at(20), now)).toBe('in 5–20 hours')
    expect(formatWindow(at(0.25), at(1.5), now)).toBe('in 15–90 minutes')
  })

  it('says "about" when both ends round to the same number', () => {
    expect(formatWindow(at(48), at(50), now)).toBe('in about 2 days')
    expect(formatWindow(at(1), at(1), now)).toBe('in about 60 minutes')
  })

  it('says "within" once the window has begun, and "overdue" once it has passed', () => {
    expect(formatWindow(at(-2), at(72), now)).toBe('within 3 days')
    expect(formatWindow(at(0.1), at(30), now)).toBe('within 30 hours')
    expect(formatWindow(at(-0.2), at(0.01), now)).toBe('within 1 minute')
    expect(formatWindow(at(-5), at(-1), now)).toBe('overdue')
  })

  it('shows a dash for missing or malformed times', () => {
    expect(formatWindow(null, at(2), now)).toBe('—')
    expect(formatWindow(at(1), 'soon', now)).toBe('—')
  })
})

describe('describeModel', () => {
  it('names the prior before the fleet\'s own fit and the examples after', () => {
    expect(describeModel({ kind: 'prior', fittedAt: '2026-11-28T10:00:00Z', examples: 0, failures: 0 })).toBe('prior model')
    expect(describeModel({ kind: 'fitted', fittedAt: '2026-11-28T10:00:00Z', examples: 1234, failures: 56 }))
      .toBe('fitted on 1,234 examples (56 failures)')
    expect(describeModel({ kind: 'fitted', fittedAt: null, examples: 1, events: 1 })).toBe('fitted on 1 example (1 failure)')
  })

  it('says so before the first scoring pass', () => {
    expect(describeModel(null)).toBe('no model yet')
  })
})

describe('readSensorRisk', () => {
  const item: RiskItem = {
    sensorId: 7, tag: 'pump-7', labels: {}, state: 'up', risk7d: 0.8, risk30d: 0.9, windowStart: '2026-11-29T00:00:00Z',
    windowEnd: '2026-12-02T00:00:00Z', atRiskSince: null, scoredAt: '2026-11-28T10:00:00Z', lastHeartbeatAt: null, reasons: ['interval up 40% in 6 h'],
  }

  it('takes the item from under `risk` and the contributions in log-odds (the worker\'s answer)', () => {
    const risk = readSensorRisk({ risk: item, features: { intervalRatio: 1.4 }, contributions: [{ feature: 'interval', value: 1.4, logOdds: 1.2 }] })
    expect(risk.sensorId).toBe(7)
    expect(risk.reasons).toEqual(['interval up 40% in 6 h'])
    expect(risk.features).toEqual({ intervalRatio: 1.4 })
    expect(risk.contributions).toEqual([{ feature: 'interval', value: 1.4, contribution: 1.2 }])
  })

  it('also reads a flat item with `contribution` (the issue\'s contract)', () => {
    const risk = readSensorRisk({ ...item, features: {}, contributions: [{ feature: 'age', value: null, contribution: -0.3 }] })
    expect(risk.risk7d).toBe(0.8)
    expect(risk.contributions).toEqual([{ feature: 'age', value: null, contribution: -0.3 }])
  })
})

describe('maintenanceQueuePath', () => {
  it('sends only the parameters that are set, encoded', () => {
    expect(maintenanceQueuePath()).toBe('/api/maintenance/queue')
    expect(maintenanceQueuePath({ limit: 50 })).toBe('/api/maintenance/queue?limit=50')
    expect(maintenanceQueuePath({ limit: 10, minRisk: 0.3, label: 'site:north', tag: 'a&b' }))
      .toBe('/api/maintenance/queue?limit=10&minRisk=0.3&label=site%3Anorth&tag=a%26b')
  })
})
