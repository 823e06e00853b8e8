import type { RetirementReason, SensorState } from './types'

/**
 * The reason the retire/replace dialog proposes: a sensor that has gone quiet most likely failed; one still reporting
 * is being replaced before it fails, or retired because it is no longer needed. The operator can change it.
 */
export function proposedRetirementReason(action: 'retire' | 'replace', state: SensorState): RetirementReason {
  if (state === 'late' || state === 'down') return 'failed'
  return action === 'replace' ? 'replaced-preventively' : 'decommissioned'
}
