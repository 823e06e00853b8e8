import { useState } from 'react'
import { formatDuration } from '../lib/format'
import { editFormOf, sensorPatch, type SensorEditForm, type TimingField } from '../lib/sensorEdit'
import type { SensorDetail } from '../lib/types'
import { api } from '../state/app'
import { ConfirmDialog } from './ConfirmDialog'
import { ErrorMessage } from './ErrorMessage'

const TIMING_INPUTS: readonly { field: TimingField; label: string; isDefault: 'expectedIntervalIsDefault' | 'graceIsDefault' | 'staleAfterIsDefault' }[] = [
  { field: 'expectedIntervalSeconds', label: 'Expected interval', isDefault: 'expectedIntervalIsDefault' },
  { field: 'graceSeconds', label: 'Grace', isDefault: 'graceIsDefault' },
  { field: 'staleAfterSeconds', label: 'Down after', isDefault: 'staleAfterIsDefault' },
]

/** Edits a sensor's tag, labels and timings; its deadlines move as soon as it is saved. */
export function SensorEditDialog({ sensor, onSaved, onCancel }: { sensor: SensorDetail; onSaved: () => void; onCancel: () => void }) {
  const [form, setForm] = useState<SensorEditForm>(() => editFormOf(sensor))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const { patch, errors } = sensorPatch(sensor, form)
  const set = (field: keyof SensorEditForm) => (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm(current => ({ ...current, [field]: event.target.value }))

  const save = async () => {
    setBusy(true)
    setError(null)
    try {
      await api.patch(`/api/sensors/${sensor.id}`, patch)
      onSaved()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <ConfirmDialog open title={`Edit ${sensor.tag}`} confirmLabel="Save" busy={busy}
      confirmDisabled={errors.length > 0 || Object.keys(patch).length === 0} onConfirm={save} onCancel={onCancel}>
      <div data-testid="edit-form">
        <label htmlFor="edit-tag">Tag</label>
        <input id="edit-tag" value={form.tag} onChange={set('tag')} data-testid="edit-tag" />
        <label htmlFor="edit-labels">Labels (one key=value per line)</label>
        <textarea id="edit-labels" rows={3} value={form.labels} onChange={set('labels')} data-testid="edit-labels" />
        <fieldset className="inline-fields">
          <legend>Timings in seconds (empty: the defaults)</legend>
          {TIMING_INPUTS.map(({ field, label, isDefault }) => (
            <div className="field" key={field}>
              <label htmlFor={`edit-${field}`}>{label}</label>
              <input id={`edit-${field}`} inputMode="numeric" value={form[field]} onChange={set(field)} data-testid={`edit-${field}`}
                placeholder={sensor.timings[isDefault] ? `default ${formatDuration(sensor.timings[field])}` : 'default'} />
            </div>
          ))}
        </fieldset>
        {errors.length > 0 ? <p className="field-error" data-testid="edit-errors">{errors.join(' ')}</p> : null}
        <p className="hint">Deadlines are recomputed from the last heartbeat at once: a late or down sensor they no longer reach is up again.</p>
        <ErrorMessage error={error} testId="edit-error" />
      </div>
    </ConfirmDialog>
  )
}
