import { useEffect, useMemo, useState } from 'react'
import { ErrorMessage } from '../components/ErrorMessage'
import { Link } from '../components/Link'
import { SecretReveal } from '../components/SecretReveal'
import { ApiError } from '../lib/api'
import { importErrors, keysFileName, keysToCsv, parseKeysCsv } from '../lib/csv'
import { parseLabelLines } from '../lib/labels'
import type { RegisterSensorRequest, SensorKeyResponse } from '../lib/types'
import { api } from '../state/app'

export function Register() {
  return (
    <>
      <h1>Register sensors</h1>
      <div className="columns">
        <SingleForm />
        <CsvImport />
      </div>
    </>
  )
}

function optionalInt(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text)
}

function SingleForm() {
  const [tag, setTag] = useState('')
  const [labels, setLabels] = useState('')
  const [interval, setIntervalSeconds] = useState('')
  const [grace, setGrace] = useState('')
  const [staleAfter, setStaleAfter] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [created, setCreated] = useState<SensorKeyResponse | null>(null)
  const parsed = parseLabelLines(labels)

  const submit = async (event: React.FormEvent) => {
    event.preventDefault()
    if (parsed.errors.length > 0) return
    setBusy(true)
    setError(null)
    setCreated(null)
    const request: RegisterSensorRequest = {
      tag: tag.trim(),
      labels: parsed.labels,
      expectedIntervalSeconds: optionalInt(interval),
      graceSeconds: optionalInt(grace),
      staleAfterSeconds: optionalInt(staleAfter),
    }
    try {
      setCreated(await api.post<SensorKeyResponse>('/api/sensors', request))
      setTag('')
      setLabels('')
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  const fieldErrors = error instanceof ApiError ? error.problem?.errors ?? {} : {}
  const fieldError = (name: string) => fieldErrors[name]?.join(' ')

  return (
    <section className="card" aria-labelledby="single-title">
      <h2 id="single-title">One sensor</h2>
      <form onSubmit={submit} data-testid="register-form" noValidate>
        <label htmlFor="reg-tag">Tag</label>
        <input id="reg-tag" required maxLength={200} value={tag} onChange={e => setTag(e.target.value)} data-testid="register-tag"
          aria-invalid={fieldError('tag') ? true : undefined} aria-describedby="reg-tag-help" />
        <span id="reg-tag-help" className="hint">{fieldError('tag') ?? 'Unique among active sensors, e.g. "Boiler room 3".'}</span>

        <label htmlFor="reg-labels">Labels (one key=value per line)</label>
        <textarea id="reg-labels" rows={3} value={labels} onChange={e => setLabels(e.target.value)} data-testid="register-labels"
          aria-invalid={parsed.errors.length > 0 || fieldError('labels') ? true : undefined} aria-describedby="reg-labels-help" placeholder={'site=north\nfloor=3'} />
        <span id="reg-labels-help" className={parsed.errors.length > 0 ? 'field-error' : 'hint'}>
          {parsed.errors.length > 0 ? parsed.errors.join(' ') : fieldError('labels') ?? 'Optional.'}
        </span>

        <fieldset className="inline-fields">
          <legend>Timings in seconds (empty: the defaults)</legend>
          <div className="field">
            <label htmlFor="reg-interval">Expected interval</label>
            <input id="reg-interval" type="number" min={1} max={86400} step={1} inputMode="numeric" value={interval}
              onChange={e => setIntervalSeconds(e.target.value)} data-testid="register-interval" />
          </div>
          <div className="field">
            <label htmlFor="reg-grace">Grace</label>
            <input id="reg-grace" type="number" min={0} max={86400} step={1} inputMode="numeric" value={grace}
              onChange={e => setGrace(e.target.value)} data-testid="register-grace" />
          </div>
          <div className="field">
            <label htmlFor="reg-stale">Down after</label>
            <input id="reg-stale" type="number" min={10} max={2592000} step={1} inputMode="numeric" value={staleAfter}
              onChange={e => setStaleAfter(e.target.value)} data-testid="register-stale-after" />
          </div>
        </fieldset>
        <ErrorMessage error={error} testId="register-error" />
        <button type="submit" className="primary" disabled={busy || tag.trim() === '' || parsed.errors.length > 0} data-testid="register-submit">
          {busy ? 'Registering…' : 'Register'}
        </button>
      </form>
      {created ? (
        <div data-testid="register-result" data-sensor-id={created.id}>
          <SecretReveal kind="key" value={created.key}>
            <p>Registered <Link to={`/sensors/${created.id}`}>#{created.id} {created.tag}</Link>. The sensor sends this key with each heartbeat.</p>
          </SecretReveal>
        </div>
      ) : null}
    </section>
  )
}

function CsvImport() {
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [created, setCreated] = useState<SensorKeyResponse[] | null>(null)
  const csv = useMemo(() => (created ? keysToCsv(created) : ''), [created])
  const download = useMemo(() => (csv ? URL.createObjectURL(new Blob([csv], { type: 'text/csv' })) : null), [csv])
  useEffect(() => () => { if (download) URL.revokeObjectURL(download) }, [download])
  const [fileName, setFileName] = useState(() => keysFileName(new Date()))
  const [copied, setCopied] = useState<string>('')

  const submit = async (event: React.FormEvent) => {
    event.preventDefault()
    if (!file) return
    setBusy(true)
    setError(null)
    setCreated(null)
    try {
      const text = await file.text()
      const answer = await api.post<string>('/api/sensors/import', undefined, { body: text, contentType: 'text/csv', responseType: 'text' })
      setCreated(parseKeysCsv(answer))
      setFileName(keysFileName(new Date()))
      setCopied('')
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  const lines = error instanceof ApiError ? importErrors(error.problem?.errors) : []

  return (
    <section className="card" aria-labelledby="csv-title">
      <h2 id="csv-title">Many sensors from a CSV file</h2>
      <p className="hint">
        A header row with <code>tag</code> and optionally <code>expected_interval_seconds</code>, <code>grace_seconds</code>,{' '}
        <code>stale_after_seconds</code>; every other column is a label. All rows are registered, or none.
      </p>
      <form onSubmit={submit} data-testid="csv-form">
        <label htmlFor="csv-file">CSV file</label>
        <input id="csv-file" type="file" accept=".csv,text/csv" onChange={e => setFile(e.target.files?.[0] ?? null)} data-testid="csv-file" />
        {error ? (
          <div className="error" role="alert" data-testid="csv-error">
            {error instanceof ApiError ? error.problem?.detail ?? error.problem?.title ?? error.message : String(error)}
            {lines.length > 0 ? <ul>{lines.map(line => <li key={line}>{line}</li>)}</ul> : null}
          </div>
        ) : null}
        <button type="submit" className="primary" disabled={!file || busy} data-testid="csv-submit">{busy ? 'Importing…' : 'Import'}</button>
      </form>
      {created ? (
        <div className="secret" data-testid="csv-result" data-count={created.length}>
          <p>
            <strong>Registered {created.length} sensor{created.length === 1 ? '' : 's'}. Save their keys now:</strong> they are shown once.
          </p>
          <p className="actions">
            {download ? <a className="button primary" href={download} download={fileName} data-testid="csv-download">Download keys (CSV)</a> : null}
            <button type="button" data-testid="csv-copy" onClick={() => navigator.clipboard.writeText(csv).then(
              () => setCopied('Copied to the clipboard.'), () => setCopied('The clipboard is not available here: use the download.'))}>Copy as CSV</button>
            <span className="hint" aria-live="polite">{copied}</span>
          </p>
          <div className="table-scroll">
            <table className="table">
              <thead><tr><th scope="col">ID</th><th scope="col">Tag</th><th scope="col">Key</th></tr></thead>
              <tbody>
                {created.map(s => (
                  <tr key={s.id} data-testid={`csv-row-${s.id}`}>
                    <td><Link to={`/sensors/${s.id}`}>{s.id}</Link></td><td>{s.tag}</td><td><code>{s.key}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  )
}
