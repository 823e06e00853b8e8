import type { SensorState } from '../lib/types'

/** A sensor state as a coloured word (colour is never the only cue: the word is always there). */
export function StateBadge({ state, testId }: { state: SensorState; testId?: string }) {
  return (
    <span className={`badge state-${state}`} data-testid={testId} data-state={state}>
      {state}
    </span>
  )
}
