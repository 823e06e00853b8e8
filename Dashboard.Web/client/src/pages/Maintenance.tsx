import { useEffect } from 'react'
import { ErrorMessage } from '../components/ErrorMessage'
import { Link } from '../components/Link'
import { StateBadge } from '../components/StateBadge'
import { formatAgo, formatCount, formatDateTime } from '../lib/format'
import { describeModel, describeWindow, formatRisk, formatWindow } from '../lib/risk'
import { withQuery } from '../lib/router'
import type { MaintenanceQueue } from '../lib/types'
import { api, onSensorsAtRisk, resyncStore } from '../state/app'
import { useAsync, useNow } from '../state/hooks'
import { useStore } from '../state/store'

const QUEUE_SIZE = 50
const REFRESH_MS = 30_000

export function Maintenance() {
  const resync = useStore(resyncStore)
  const now = useNow(5000)
  const queue = useAsync(signal => api.get<MaintenanceQueue>(withQuery('/api/maintenance/queue', { limit: String(QUEUE_SIZE) }), { signal }), [resync])
  const { data, error, reload } = queue

  // Scores change every few minutes: refetch on a timer, and at once when a sensor crosses the threshold.
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS)
    const unsubscribe = onSensorsAtRisk(() => reload())
    return () => {
      clearInterval(timer)
      unsubscribe()
    }
  }, [reload])

  return (
    <>
      <h1>Maintenance</h1>
      <p className="muted" data-testid="maintenance-summary">
        {data ? (
          <>
            Sensors whose predicted risk of failing within 7 days is at least{' '}
            <span data-testid="maintenance-threshold">{formatRisk(data.threshold)}</span>, highest first.
            Model: <span data-testid="maintenance-model" data-kind={data.model?.kind ?? 'none'}>{describeModel(data.model)}</span>
            {data.model?.fittedAt ? <> ({formatDateTime(data.model.fittedAt)})</> : null}. As of {formatDateTime(data.at)}.
          </>
        ) : 'Sensors at risk of failing, highest risk first.'}
      </p>
      <ErrorMessage error={error} />
      {data && data.items.length > 0 ? <QueueTable queue={data} now={now} /> : null}
      {data && data.items.length === 0 ? (
        <p className="muted" data-testid="maintenance-empty">
          No sensor is at risk: every scored sensor's 7-day risk is below {formatRisk(data.threshold)}.
        </p>
      ) : null}
      {!data && !error ? <p className="muted">Loading…</p> : null}
    </>
  )
}

function QueueTable({ queue, now }: { queue: MaintenanceQueue; now: number }) {
  return (
    <section className="card" aria-labelledby="queue-title">
      <h2 id="queue-title">
        <span data-testid="maintenance-total">{formatCount(queue.total)}</span> at risk
        {queue.total > queue.items.length ? <span className="muted"> (the {queue.items.length} highest shown)</span> : null}
      </h2>
      <div className="table-scroll">
        <table className="table risk-table" data-testid="maintenance-table">
          <thead>
            <tr>
              <th scope="col">Sensor</th><th scope="col">State</th><th scope="col">7-day risk</th><th scope="col">30-day risk</th>
              <th scope="col">Expected failure</th><th scope="col">Why</th><th scope="col">At risk since</th>
            </tr>
          </thead>
          <tbody>
            {queue.items.map(item => (
              <tr key={item.sensorId} data-testid={`maintenance-row-${item.sensorId}`} data-sensor-id={item.sensorId}>
                <th scope="row" className="wrap">
                  <Link to={`/sensors/${item.sensorId}`} data-testid="maintenance-sensor-link">{item.tag}</Link>{' '}
                  <span className="muted">#{item.sensorId}</span>
                </th>
                <td><StateBadge state={item.state} /></td>
                <td className="risk" data-testid="risk-7d">{formatRisk(item.risk7d)}</td>
                <td className="risk" data-testid="risk-30d">{formatRisk(item.risk30d)}</td>
                <td title={describeWindow(item.windowStart, item.windowEnd)} data-testid="risk-window">
                  {formatWindow(item.windowStart, item.windowEnd, now)}
                </td>
                <td>
                  <ul className="reasons" data-testid="risk-reasons">
                    {item.reasons.map(reason => <li key={reason}>{reason}</li>)}
                  </ul>
                </td>
                <td title={formatDateTime(item.atRiskSince)}>{item.atRiskSince ? formatAgo(item.atRiskSince, now) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
