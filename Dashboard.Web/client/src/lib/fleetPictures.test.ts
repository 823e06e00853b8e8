import { describe, expect, it } from 'vitest'
import { describeIntervals, describeSurvival, intervalRows, labelKeyError, labelListLink, stateShares, survivalColumns, type LabelGroup, type SurvivalCurve } from './fleetPictures'

const curve: SurvivalCurve = {
  points: [
    { days: 0, survival: 1, lower: 1, upper: 1, atRisk: 10, events: 0, censored: 0 },
    { days: 1, survival: 0.9, lower: 0.473, upper: 0.985, atRisk: 10, events: 1, censored: 0 },
  ],
  summary: { medianDays: null, restrictedMeanDays: 1.9, horizonDays: 2, lives: 10, ended: 1 },
}

describe('survivalColumns', () => {
  it('gives days, then survival and the band as percentages', () => {
    expect(survivalColumns(curve.points)).toEqual([[0, 1], [100, 90], [100, 98.5], [100, 47.3]])
  })
})

describe('describeSurvival', () => {
  it('says when nothing can be drawn', () => {
    expect(describeSurvival({ points: [], summary: { ...curve.summary, lives: 0, ended: 0 } }, null)).toMatch(/no lifespan/)
  })
  it('names the median, or that it is not reached, and the mean lifespan', () => {
    expect(describeSurvival(curve, null)).toBe('10 lives, 1 ended: more than half the sensors are still alive at the longest life observed.')
    expect(describeSurvival({ ...curve, summary: { ...curve.summary, medianDays: 6 } }, 7)).toBe(
      '10 lives, 1 ended: half the sensors live longer than 6.0 d; mean lifespan of ended lives 7.0 d.')
  })
})

describe('labelListLink', () => {
  it('filters the sensor list by key:value, and has nothing for the unlabelled', () => {
    expect(labelListLink('site', 'north hall')).toBe('/sensors?label=site%3Anorth+hall')
    expect(labelListLink('site', null)).toBeNull()
  })
})

describe('stateShares', () => {
  it('gives each present state its share of the group', () => {
    const group: LabelGroup = { value: 'north', total: 4, new: 1, up: 2, late: 0, down: 1, retired: 0 }
    expect(stateShares(group)).toEqual([
      { state: 'new', count: 1, percent: 25 }, { state: 'up', count: 2, percent: 50 }, { state: 'down', count: 1, percent: 25 },
    ])
    expect(stateShares({ ...group, total: 0, new: 0, up: 0, down: 0 })).toEqual([])
  })
})

describe('labelKeyError', () => {
  it('accepts a plain key and explains the rest', () => {
    expect(labelKeyError('site')).toBeNull()
    expect(labelKeyError(' ')).toMatch(/Give/)
    expect(labelKeyError('a:b')).toMatch(/":"/)
    expect(labelKeyError('k'.repeat(201))).toMatch(/200/)
  })
})

describe('intervals', () => {
  const distribution = {
    sensors: 30, p50Seconds: 60, p95Seconds: 300,
    buckets: [{ fromSeconds: 32, toSeconds: 64, sensors: 20 }, { fromSeconds: 256, toSeconds: 512, sensors: 10 }],
  }
  it('gives each bucket its range and a bar against the fullest', () => {
    expect(intervalRows(distribution).map(r => [r.sensors, r.percentOfMax])).toEqual([[20, 100], [10, 50]])
    expect(intervalRows(distribution)[0]?.range).toContain('–')
  })
  it('says what the median and 95th percentile mean, or that there is nothing yet', () => {
    expect(describeIntervals(distribution)).toMatch(/^30 live sensors: half report at least every .+, 95 % at least every .+\.$/)
    expect(describeIntervals({ sensors: 0, p50Seconds: null, p95Seconds: null, buckets: [] })).toMatch(/No live sensor/)
  })
})
