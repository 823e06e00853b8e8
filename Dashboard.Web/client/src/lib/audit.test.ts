import { describe, expect, it } from 'vitest'
import { auditUrl, describeDetails } from './audit'

describe('audit log', () => {
  it('asks for the filters given and leaves the empty ones out', () => {
    expect(auditUrl({ actor: ' alice ', action: 'sensor.', target: '' }, null, 50)).toBe('/api/audit?actor=alice&action=sensor.&limit=50')
    expect(auditUrl({ actor: '', action: '', target: 'sensor 42' }, 'abc')).toBe('/api/audit?target=sensor+42&before=abc&limit=100')
  })

  it('reads changes as from → to, defaults and label sets in words', () => {
    expect(describeDetails({
      graceSeconds: { from: null, to: 5 },
      labels: { from: { site: 'north' }, to: {} },
      reason: 'failed',
      replacedBy: null,
    })).toEqual(['graceSeconds: default → 5', 'labels: site=north → none', 'reason: failed'])
    expect(describeDetails(null)).toEqual([])
  })
})
