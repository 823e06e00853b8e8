import { describe, expect, it } from 'vitest'
import { describeModel, formatRisk, formatWindow, riskHistoryColumns } from './risk'

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
    expect(describeModel({ kind: 'fitted', fittedAt: null, examples: 1, failures: 1 })).toBe('fitted on 1 example (1 failure)')
  })

  it('says so before the first scoring pass', () => {
    expect(describeModel(null)).toBe('no model yet')
  })
})

describe('riskHistoryColumns', () => {
  it('gives percentages over time and carries the last score to now', () => {
    const history = {
      sensorId: 1, threshold: 0.5,
      points: [{ at: '2026-01-01T00:00:00Z', risk7d: 0.1, risk30d: 0.2 }, { at: '2026-01-01T01:00:00Z', risk7d: 0.6, risk30d: 0.8 }],
    }
    const start = Date.parse('2026-01-01T00:00:00Z') / 1000
    const columns = riskHistoryColumns(history, Date.parse('2026-01-01T02:00:00Z'))
    expect(columns[0]).toEqual([start, start + 3600, start + 7200])
    expect(columns[1].map(v => Math.round(v))).toEqual([10, 60, 60])
    expect(columns[2].map(v => Math.round(v))).toEqual([20, 80, 80])
    expect(columns[3]).toEqual([50, 50, 50])
  })
  it('draws a first score alone as a minute-long line, even with the clock behind it', () => {
    const at = Date.parse('2026-01-01T00:00:30Z')
    const columns = riskHistoryColumns({ sensorId: 1, threshold: 0.5, points: [{ at: '2026-01-01T00:00:30Z', risk7d: 0.9, risk30d: 0.95 }] }, at - 10_000)
    expect(columns[0]).toEqual([at / 1000, at / 1000 + 60])
  })
  it('adds nothing when there is no score yet', () => {
    expect(riskHistoryColumns({ sensorId: 1, threshold: 0.5, points: [] }, Date.now())).toEqual([[], [], [], []])
  })
})
