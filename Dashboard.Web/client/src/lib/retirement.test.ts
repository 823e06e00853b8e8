import { describe, expect, it } from 'vitest'
import { proposedRetirementReason } from './retirement'

describe('proposedRetirementReason', () => {
  it('proposes a failure for a sensor that has gone quiet', () => {
    expect(proposedRetirementReason('replace', 'down')).toBe('failed')
    expect(proposedRetirementReason('retire', 'late')).toBe('failed')
  })

  it('proposes a preventive replacement or a decommissioning for a sensor still reporting', () => {
    expect(proposedRetirementReason('replace', 'up')).toBe('replaced-preventively')
    expect(proposedRetirementReason('retire', 'up')).toBe('decommissioned')
    expect(proposedRetirementReason('retire', 'new')).toBe('decommissioned')
  })
})
