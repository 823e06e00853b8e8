import { useState } from 'react'
import { heartbeatExportUrl } from '../lib/sensorQuery'

const SPANS = [
  { value: '24', label: 'Last 24 hours', hours: 24 },
  { value: '168', label: 'Last 7 days', hours: 24 * 7 },
  { value: '720', label: 'Last 30 days', hours: 24 * 30 },
  { value: 'all', label: 'Since its first heartbeat', hours: null },
] as const

/** A download link for the sensor's heartbeats over a chosen span, as CSV (the server streams it). */
export function HeartbeatExport({ id, firstHeartbeatAt, now }: { id: number; firstHeartbeatAt: string | null; now: number }) {
  const [span, setSpan] = useState<(typeof SPANS)[number]['value']>('24')
  const chosen = SPANS.find(s => s.value === span) ?? SPANS[0]
  // Up to a little ahead of now: sensor clocks run slightly fast, and the range is on the sensor's clock.
  const to = new Date(now + 10 * 60_000)
  const from = chosen.hours === null ? new Date(firstHeartbeatAt ?? now) : new Date(now - chosen.hours * 3_600_000)
  return (
    <p className="inline">
      <label htmlFor="export-span">Heartbeats to download</label>
      <select id="export-span" value={span} onChange={e => setSpan(e.target.value as typeof span)} data-testid="export-heartbeats-span">
        {SPANS.map(s => <option key={s.value} value={s.value}>{s.label}</option>)}
      </select>
      <a href={heartbeatExportUrl(id, from, to)} download data-testid="export-heartbeats">Download CSV</a>
    </p>
  )
}
