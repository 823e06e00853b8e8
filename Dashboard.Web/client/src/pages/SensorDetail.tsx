import { useEffect, useMemo, useState } from 'react'
import { Chart, type ChartSeries } from '../components/Chart'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { HeartbeatExport } from '../components/HeartbeatExport'
import { Link } from '../components/Link'
import { RiskPanel } from '../components/RiskPanel'
import { SensorEditDialog } from '../components/SensorEditDialog'
import { SecretReveal } from '../components/SecretReveal'
import { StateBadge } from '../components/StateBadge'
import { formatAgo, formatCount, formatDateTime, formatDuration, formatPercent } from '../lib/format'
import { hourColumns, intervalColumns, mergeHeartbeats, stateSegments } from '../lib/heartbeats'
import { formatLabels } from '../lib/labels'
import { proposedRetirementReason } from '../lib/retirement'
import { can } from '../lib/roles'
import { RETIREMENT_REASONS, type HeartbeatItem, type ReplacementResponse, type SensorHours, type RetirementReason, type SensorDetail as Detail, type SensorKeyResponse } from '../lib/types'
import { api, onTransitions, resyncStore, sessionStore, socket } from '../state/app'
import { useAsync, useNow } from '../state/hooks'
import { useStore } from '../state/store'

type Action = 'edit' | 'rotate' | 'retire' | 'replace'

const INTERVAL_SERIES: ChartSeries[] = [
  { label: 'Interval', color: '--line-up', points: true, width: 1, value: v => formatDuration(v) },
  { label: 'Expected', color: '--line-new', dash: [6, 4], width: 1, value: v => formatDuration(v) },
  { label: 'Late after', color: '--line-late', dash: [2, 4], width: 1, value: v => formatDuration(v) },
]

const HOUR_SERIES: ChartSeries[] = [
  { label: 'Mean interval', color: '--line-up', width: 1, value: v => formatDuration(v) },
  { label: 'Longest gap', color: '--line-late', dash: [2, 4], width: 1, value: v => formatDuration(v) },
]

const WINDOWS = [
  { hours: 24, label: '24 hours' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
] as const

export function SensorDetail({ id }: { id: number }) {
  const user = useStore(sessionStore, s => s.user)
  const resync = useStore(resyncStore)
  const detail = useAsync(signal => api.get<Detail>(`/api/sensors/${id}?heartbeats=20&flips=500`, { signal }), [id, resync])
  const sensor = detail.data?.id === id ? detail.data : undefined
  const [live, setLive] = useState<HeartbeatItem[]>([])
  const [liveCount, setLiveCount] = useState(0)
  const [action, setAction] = useState<Action | null>(null)
  const [busy, setBusy] = useState(false)
  const [reason, setReason] = useState<RetirementReason>('failed')
  const [actionError, setActionError] = useState<unknown>(null)
  const [result, setResult] = useState<{ action: Action; response: SensorKeyResponse | ReplacementResponse } | null>(null)
  const now = useNow(5000)

  // The last day of heartbeats for the chart (refetched after a reconnect), then the live ones.
  const history = useAsync(signal => api.get<HeartbeatItem[]>(`/api/sensors/${id}/heartbeats?limit=2000`, { signal }), [id, resync])
  const heartbeats = useMemo(() => mergeHeartbeats(history.data ?? [], live), [history.data, live])

  // Live heartbeats of this sensor while the page is open (the page is keyed by id: a new sensor starts afresh).
  useEffect(() => socket.subscribe(id, heartbeat => {
    setLive(current => mergeHeartbeats(current, [heartbeat], 2000))
    setLiveCount(n => n + 1)
  }), [id])

  // Its state changes: fetch the detail again (new state, flips, uptime).
  const reload = detail.reload
  useEffect(() => onTransitions(changes => {
    if (changes.some(c => c.sensorId === id)) reload()
  }), [id, reload])

  const columns = useMemo(() => {
    const [t, gaps] = intervalColumns(heartbeats)
    const expected = sensor?.timings.expectedIntervalSeconds ?? null
    const lateAfter = sensor ? sensor.timings.expectedIntervalSeconds + sensor.timings.graceSeconds : null
    return [t, gaps, t.map(() => expected), t.map(() => lateAfter)] as [number[], ...(number | null)[][]]
  }, [heartbeats, sensor])

  const run = async () => {
    if (!action) return
    setBusy(true)
    setActionError(null)
    try {
      if (action === 'rotate') {
        setResult({ action, response: await api.post<SensorKeyResponse>(`/api/sensors/${id}/rotate-key`) })
      } else if (action === 'replace') {
        setResult({ action, response: await api.post<ReplacementResponse>(`/api/sensors/${id}/replace`, { reason }) })
      } else {
        await api.post(`/api/sensors/${id}/retire`, { reason })
        setResult(null)
      }
      setAction(null)
      detail.reload()
    } catch (error) {
      setActionError(error)
      setAction(null)
    } finally {
      setBusy(false)
    }
  }

  if (!sensor) {
    return (
      <>
        <h1>Sensor #{id}</h1>
        {detail.loading ? <p className="muted">Loading…</p> : <ErrorMessage error={detail.error} />}
        <p><Link to="/sensors">← All sensors</Link></p>
      </>
    )
  }

  const lastHeartbeat = heartbeats[heartbeats.length - 1]
  const lastReceived = [sensor.lastReceivedAt, lastHeartbeat?.receivedAt ?? null]
    .filter((t): t is string => t !== null)
    .reduce<string | null>((latest, t) => (latest === null || Date.parse(t) > Date.parse(latest) ? t : latest), null)
  const active = sensor.retiredAt === null
  const actions = (['edit', 'rotate', 'retire', 'replace'] as const).filter(a => active && can(user, a))

  return (
    <div data-testid="sensor-detail" data-sensor-id={sensor.id}>
      <p><Link to="/sensors">← All sensors</Link></p>
      <h1>
        <span data-testid="sensor-detail-tag">{sensor.tag}</span> <span className="muted">#{sensor.id}</span>{' '}
        <StateBadge state={sensor.state} testId="sensor-detail-state" />
      </h1>
      <p className="muted">
        {sensor.state} since {formatDateTime(sensor.stateSince)} ({formatAgo(sensor.stateSince, now)})
        {sensor.retiredAt ? (
          <> · retired {formatDateTime(sensor.retiredAt)}{sensor.retirementReason
            ? <span data-testid="retirement-reason"> ({RETIREMENT_REASONS.find(r => r.value === sensor.retirementReason)?.label ?? sensor.retirementReason})</span>
            : null}</>
        ) : null}
        {sensor.replacedBy ? <> · replaced by <Link to={`/sensors/${sensor.replacedBy}`}>#{sensor.replacedBy}</Link></> : null}
      </p>

      {actions.length > 0 ? (
        <div className="toolbar" role="group" aria-label="Sensor actions">
          {actions.includes('edit') ? <button type="button" onClick={() => setAction('edit')} data-testid="action-edit">Edit…</button> : null}
          {actions.includes('rotate') ? <button type="button" onClick={() => setAction('rotate')} data-testid="action-rotate">Rotate key</button> : null}
          {actions.includes('replace') ? <button type="button" onClick={() => { setReason(proposedRetirementReason('replace', sensor.state)); setAction('replace') }} data-testid="action-replace">Replace…</button> : null}
          {actions.includes('retire') ? <button type="button" className="danger" onClick={() => { setReason(proposedRetirementReason('retire', sensor.state)); setAction('retire') }} data-testid="action-retire">Retire…</button> : null}
        </div>
      ) : null}
      <ErrorMessage error={actionError} testId="action-error" />
      {result ? (
        <SecretReveal kind="key" value={result.response.key}>
          {result.action === 'replace' ? (
            <p>
              Sensor #{sensor.id} is retired; its replacement is{' '}
              <Link to={`/sensors/${result.response.id}`} data-testid="replacement-link">#{result.response.id} {result.response.tag}</Link>.
              Give it this key:
            </p>
          ) : <p>Sensor #{sensor.id}'s old key no longer works. Give the sensor this key:</p>}
        </SecretReveal>
      ) : null}

      {action === 'edit' ? (
        <SensorEditDialog sensor={sensor} onCancel={() => setAction(null)} onSaved={() => { setAction(null); setResult(null); detail.reload() }} />
      ) : null}
      <ConfirmDialog
        open={action !== null && action !== 'edit'}
        title={action === 'rotate' ? 'Rotate the key?' : action === 'replace' ? 'Replace this sensor?' : 'Retire this sensor?'}
        confirmLabel={action === 'rotate' ? 'Rotate key' : action === 'replace' ? 'Replace' : 'Retire'}
        danger={action !== 'rotate'}
        busy={busy}
        onConfirm={run}
        onCancel={() => setAction(null)}
      >
        {action === 'rotate' ? <p>The current key of <strong>{sensor.tag}</strong> stops working at once; the new key is shown once.</p> : null}
        {action === 'replace' ? (
          <p><strong>{sensor.tag}</strong> (#{sensor.id}) will be retired and a new sensor registered with the same tag, labels and timings. Its key is shown once.</p>
        ) : null}
        {action === 'retire' ? <p><strong>{sensor.tag}</strong> (#{sensor.id}) will be retired for good; its key stops working. This cannot be undone.</p> : null}
        {action === 'retire' || action === 'replace' ? (
          <div>
            <label htmlFor="retire-reason">Why</label>
            <select id="retire-reason" value={reason} onChange={e => setReason(e.target.value as RetirementReason)} data-testid="retire-reason">
              {RETIREMENT_REASONS.map(r => <option key={r.value} value={r.value}>{r.label}</option>)}
            </select>
            <span className="hint">Only a failure teaches the survival analysis and the failure prediction that a sensor died.</span>
          </div>
        ) : null}
      </ConfirmDialog>

      <section className="tiles" aria-label="Sensor figures">
        <Figure label="Last heartbeat" testId="last-heartbeat" value={formatAgo(lastReceived, now)} hint={formatDateTime(lastReceived)} />
        <Figure label="Heartbeats" testId="heartbeat-count" value={formatCount(sensor.heartbeatCount)} hint={`${liveCount} live since opened`} hintTestId="live-heartbeat-count" />
        <Figure label="Uptime 24 h" testId="uptime-24h" value={formatPercent(sensor.uptime.last24Hours, 2)} />
        <Figure label="Uptime 7 d" testId="uptime-7d" value={formatPercent(sensor.uptime.last7Days, 2)} />
        <Figure label="Uptime 30 d" testId="uptime-30d" value={formatPercent(sensor.uptime.last30Days, 2)} />
        <Figure label="Interval p50" testId="interval-p50" value={formatDuration(sensor.intervals.p50Seconds)}
          hint={`${formatCount(sensor.intervals.samples)} samples, last ${sensor.intervals.windowHours} h`} />
        <Figure label="Interval p95" testId="interval-p95" value={formatDuration(sensor.intervals.p95Seconds)} />
        <Figure label="Mean interval" testId="interval-mean" value={formatDuration(sensor.intervals.meanSeconds)} hint="over its whole life" />
      </section>

      <section className="card" aria-labelledby="hb-title">
        <h2 id="hb-title">Heartbeats and intervals</h2>
        <p className="muted">
          Each dot is a heartbeat (sensor clock) at the height of the gap since the one before; the last day, then live.
          Expected every {formatDuration(sensor.timings.expectedIntervalSeconds)}{sensor.timings.expectedIntervalIsDefault ? ' (default)' : ''},
          late after {formatDuration(sensor.timings.expectedIntervalSeconds + sensor.timings.graceSeconds)},
          down after {formatDuration(sensor.timings.staleAfterSeconds)} of silence{sensor.timings.staleAfterIsDefault ? ' (default)' : ''}.
          {sensor.timings.lateAt ? <> Late at <span data-testid="deadline-late">{formatDateTime(sensor.timings.lateAt)}</span>,
            down at <span data-testid="deadline-down">{formatDateTime(sensor.timings.downAt)}</span> without another heartbeat.</> : null}
        </p>
        <ErrorMessage error={history.error} />
        <Chart data={columns} series={INTERVAL_SERIES} yLabel="seconds" testId="heartbeat-chart"
          summary={`${heartbeats.length} heartbeats; median interval ${formatDuration(sensor.intervals.p50Seconds)}, 95th percentile ${formatDuration(sensor.intervals.p95Seconds)}.`} />
        <HeartbeatExport id={sensor.id} firstHeartbeatAt={sensor.firstHeartbeatAt} now={now} />
      </section>

      <CadenceCard id={sensor.id} resync={resync} />

      {active ? <RiskPanel id={sensor.id} now={now} /> : null}

      <FlipTimeline sensor={sensor} now={now} />

      <section className="card" aria-labelledby="about-title">
        <h2 id="about-title">Details</h2>
        <dl className="facts">
          <dt>Labels</dt><dd data-testid="sensor-labels">{formatLabels(sensor.labels) || 'none'}</dd>
          <dt>Registered</dt><dd>{formatDateTime(sensor.createdAt)}</dd>
          <dt>First heartbeat</dt><dd>{formatDateTime(sensor.firstHeartbeatAt)}</dd>
          <dt>Last heartbeat (sensor clock)</dt><dd>{formatDateTime(lastHeartbeat?.sensorTime ?? sensor.lastHeartbeatAt)}</dd>
          <dt>Late at</dt><dd>{formatDateTime(sensor.timings.lateAt)}</dd>
          <dt>Down at</dt><dd>{formatDateTime(sensor.timings.downAt)}</dd>
        </dl>
      </section>
    </div>
  )
}

function Figure({ label, value, hint, testId, hintTestId }: { label: string; value: string; hint?: string; testId: string; hintTestId?: string }) {
  return (
    <div className="tile">
      <span className="tile-label">{label}</span>
      <span className="tile-value" data-testid={testId}>{value}</span>
      {hint ? <span className="tile-hint" data-testid={hintTestId}>{hint}</span> : null}
    </div>
  )
}

function FlipTimeline({ sensor, now }: { sensor: Detail; now: number }) {
  const [hours, setHours] = useState<number>(24)
  const from = now - hours * 3600_000
  const segments = stateSegments(sensor.flips, sensor.state, Math.max(from, Date.parse(sensor.createdAt)), now)
  const span = Math.max(1, now - from)
  const offset = Math.max(0, Date.parse(sensor.createdAt) - from)
  return (
    <section className="card" aria-labelledby="flips-title">
      <h2 id="flips-title">State timeline</h2>
      <div className="segmented" role="group" aria-label="Time window">
        {WINDOWS.map(w => (
          <button key={w.hours} type="button" aria-pressed={hours === w.hours} onClick={() => setHours(w.hours)}>{w.label}</button>
        ))}
      </div>
      <div className="timeline" data-testid="flip-timeline" role="img"
        aria-label={segments.map(s => `${s.state} from ${formatDateTime(new Date(s.from).toISOString())} for ${formatDuration((s.to - s.from) / 1000)}`).join('; ')}>
        {offset > 0 ? <span className="segment segment-none" style={{ width: `${(offset / span) * 100}%` }} title="not registered yet" /> : null}
        {segments.map(s => (
          <span key={s.from} className={`segment state-${s.state}`} style={{ width: `${((s.to - s.from) / span) * 100}%` }}
            title={`${s.state}: ${formatDateTime(new Date(s.from).toISOString())} – ${formatDateTime(new Date(s.to).toISOString())}`} />
        ))}
      </div>
      <div className="timeline-axis muted" aria-hidden="true"><span>{hours} h ago</span><span>now</span></div>
      {sensor.flips.length > 0 ? (
        <details>
          <summary>{sensor.flips.length} most recent state changes</summary>
          <table className="table">
            <thead><tr><th scope="col">When</th><th scope="col">From</th><th scope="col">To</th></tr></thead>
            <tbody>
              {sensor.flips.map((flip, i) => (
                <tr key={`${flip.at}-${i}`}>
                  <td>{formatDateTime(flip.at)}</td><td><StateBadge state={flip.from} /></td><td><StateBadge state={flip.to} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : <p className="muted">No state change yet.</p>}
    </section>
  )
}

/** The last 30 days by the hour, from the hourly roll-ups (GET /api/sensors/{id}/hours): they outlive raw heartbeats. */
function CadenceCard({ id, resync }: { id: number; resync: number }) {
  const hours = useAsync(signal => api.get<SensorHours>(`/api/sensors/${id}/hours`, { signal }), [id, resync])
  const data = hours.data?.sensorId === id ? hours.data : undefined
  const columns = useMemo(() => (data ? hourColumns(data.hours) : null), [data])
  return (
    <section className="card" aria-labelledby="cadence-title">
      <h2 id="cadence-title">Cadence, last 30 days</h2>
      <ErrorMessage error={hours.error} />
      {data && columns ? (
        <>
          <p className="muted" data-testid="cadence-summary">
            {formatCount(data.heartbeats)} heartbeats in {formatCount(data.hours.length)} hours heard;
            mean interval {formatDuration(data.meanIntervalSeconds)} (± {formatDuration(data.stdDevSeconds)}),
            longest gap {formatDuration(data.longestGapSeconds)}, {formatCount(data.silences)} silence{data.silences === 1 ? '' : 's'} past the stale threshold.
          </p>
          {data.hours.length > 0 ? (
            <Chart data={columns} series={HOUR_SERIES} height={160} yLabel="seconds" testId="cadence-chart"
              summary={`Hourly mean interval and longest gap over ${data.hours.length} hours.`} />
          ) : null}
        </>
      ) : hours.error ? null : <p className="muted">Loading…</p>}
    </section>
  )
}
