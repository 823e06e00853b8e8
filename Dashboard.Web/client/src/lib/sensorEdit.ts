import { formatLabels, parseLabelLines } from './labels'
import type { SensorDetail } from './types'

/** The edit form's fields as typed: a timing left blank means the fleet's default. */
export interface SensorEditForm {
  tag: string
  labels: string
  expectedIntervalSeconds: string
  graceSeconds: string
  staleAfterSeconds: string
}

export type TimingField = 'expectedIntervalSeconds' | 'graceSeconds' | 'staleAfterSeconds'

const TIMINGS: readonly { field: TimingField; isDefault: 'expectedIntervalIsDefault' | 'graceIsDefault' | 'staleAfterIsDefault' }[] = [
  { field: 'expectedIntervalSeconds', isDefault: 'expectedIntervalIsDefault' },
  { field: 'graceSeconds', isDefault: 'graceIsDefault' },
  { field: 'staleAfterSeconds', isDefault: 'staleAfterIsDefault' },
]

/** The form filled in with the sensor as it is: its own timings, blank where it follows the default. */
export function editFormOf(sensor: SensorDetail): SensorEditForm {
  const own = (field: TimingField, isDefault: boolean) => (isDefault ? '' : String(sensor.timings[field]))
  return {
    tag: sensor.tag,
    labels: formatLabels(sensor.labels, '\n'),
    expectedIntervalSeconds: own('expectedIntervalSeconds', sensor.timings.expectedIntervalIsDefault),
    graceSeconds: own('graceSeconds', sensor.timings.graceIsDefault),
    staleAfterSeconds: own('staleAfterSeconds', sensor.timings.staleAfterIsDefault),
  }
}

/**
 * The merge patch that turns `sensor` into what the form says: only what changed (an empty patch changes nothing),
 * a cleared timing as null. `errors` name what cannot be sent; the server checks ranges and tags again.
 */
export function sensorPatch(sensor: SensorDetail, form: SensorEditForm): { patch: Record<string, unknown>; errors: string[] } {
  const patch: Record<string, unknown> = {}
  const errors: string[] = []
  const before = editFormOf(sensor)

  const tag = form.tag.trim()
  if (tag === '') {
    errors.push('A tag is required.')
  } else if (tag !== sensor.tag) {
    patch.tag = tag
  }

  const labels = parseLabelLines(form.labels)
  errors.push(...labels.errors)
  if (labels.errors.length === 0 && formatLabels(labels.labels) !== formatLabels(sensor.labels)) {
    patch.labels = labels.labels
  }

  for (const { field, isDefault } of TIMINGS) {
    const text = form[field].trim()
    if (text === before[field]) {
      continue
    }
    if (text === '') {
      if (!sensor.timings[isDefault]) patch[field] = null
    } else if (/^\d+$/.test(text)) {
      patch[field] = Number(text)
    } else {
      errors.push(`${field}: a whole number of seconds, or blank for the default.`)
    }
  }
  return { patch, errors }
}
