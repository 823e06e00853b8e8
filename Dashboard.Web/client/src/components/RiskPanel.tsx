import { useEffect, useMemo } from 'react'
import { ApiError } from '../lib/api'
import { formatDateTime, formatPercent } from '../lib/format'
import { describeWindow, formatRisk, formatWindow, riskHistoryColumns, type RiskHistory } from '../lib/risk'
import type { SensorRisk } from '../lib/types'
import { api, onSensorsAtRisk, resyncStore } from '../state/app'
import { useAsync } from '../state/hooks'
import { useStore } from '../state/store'
import { Chart, type ChartSeries } from './Chart'
import { ErrorMessage } from './ErrorMessage'

const REFRESH_MS = 60_000

const HISTORY_SERIES: ChartSeries[] = [
  { label: '7 days', color: '--line-down', stepped: true, value: formatPercent },
  { label: '30 days', color: '--line-late', dash: [6, 4], stepped: true, value: formatPercent },
  { label: 'At-risk threshold', color: '--line-retired', width: 1, dash: [2, 4], value: formatPercent },
]

/** A sensor's failure risk from GET /api/sensors/{id}/risk; 404 means the monitor has not scored it yet. */
export function RiskPanel({ id, now }: { id: number; now: number }) {
  const resync = useStore(resyncStore)
  const { data, error, reload } = useAsync(signal => api.get<SensorRisk>(`/api/sensors/${id}/risk`, { signal }), [id, resync])
  const risk = data?.sensorId === id ? data : undefined
  const notScored = error instanceof ApiError && error.status === 404
  const history = useAsync(signal => api.get<RiskHistory>(`/api/sensors/${id}/risk/history`, { signal }), [id, resync, data?.scoredAt])

  // Rescored every few minutes: refetch now and then, and at once when this sensor crosses the threshold.
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS)
    const unsubscribe = onSensorsAtRisk(predictions => {
      if (predictions.some(p => p.sensorId === id)) reload()
    })
    return () => {
      clearInterval(timer)
      unsubscribe()
    }
  }, [id, reload])

  return (
    <section className="card risk-panel" aria-labelledby="risk-title" data-testid="risk-panel" data-scored={risk && !notScored ? true : undefined}>
      <h2 id="risk-title">Failure risk</h2>
      {notScored ? <p className="muted" data-testid="risk-not-scored">Not scored yet: the monitor scores sensors every few minutes once they are up.</p> : null}
      {!notScored ? <ErrorMessage error={error} /> : null}
      {risk && !notScored ? (
        <>
          <dl className="facts">
            <dt>Within 7 days</dt><dd className="risk" data-testid="risk-panel-7d">{formatRisk(risk.risk7d)}</dd>
            <dt>Within 30 days</dt><dd className="risk" data-testid="risk-panel-30d">{formatRisk(risk.risk30d)}</dd>
            <dt>Expected failure</dt>
            <dd title={describeWindow(risk.windowStart, risk.windowEnd)} data-testid="risk-panel-window">{formatWindow(risk.windowStart, risk.windowEnd, now)}</dd>
            <dt>At risk since</dt><dd>{risk.atRiskSince ? formatDateTime(risk.atRiskSince) : 'not at risk'}</dd>
            <dt>Scored</dt><dd>{formatDateTime(risk.scoredAt)}</dd>
          </dl>
          <RiskHistoryChart history={history.data?.sensorId === id ? history.data : undefined} now={now} />
          {risk.reasons.length > 0 ? (
            <ul className="reasons" data-testid="risk-panel-reasons">
              {risk.reasons.map(reason => <li key={reason}>{reason}</li>)}
            </ul>
          ) : <p className="muted">Nothing unusual in its heartbeats.</p>}
          {risk.contributions.length > 0 ? (
            <details>
              <summary>What the score is made of</summary>
              <table className="table">
                <thead><tr><th scope="col">Input</th><th scope="col">Value</th><th scope="col">Contribution (log-odds)</th></tr></thead>
                <tbody>
                  {risk.contributions.map(c => (
                    <tr key={c.feature}>
                      <th scope="row">{c.feature}</th>
                      <td>{c.value == null ? '—' : Number(c.value.toPrecision(3))}</td>
                      <td>{c.logOdds >= 0 ? '+' : '−'}{Math.abs(c.logOdds).toFixed(2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : null}
        </>
      ) : null}
      {!risk && !error ? <p className="muted">Loading…</p> : null}
    </section>
  )
}

/** How the sensor's risk moved over the last 30 days (GET /api/sensors/{id}/risk/history). */
function RiskHistoryChart({ history, now }: { history: RiskHistory | undefined; now: number }) {
  // The last point follows the clock only minute by minute: a new `now` every few seconds would redraw for nothing.
  const minute = Math.ceil(now / 60_000) * 60_000
  const data = useMemo(() => (history ? riskHistoryColumns(history, minute) : null), [history, minute])
  if (!history || !data || history.points.length === 0) {
    return null
  }
  const first = history.points[0]!
  const last = history.points[history.points.length - 1]!
  return (
    <Chart data={data} series={HISTORY_SERIES} height={160} yLabel="% risk" yRange={[0, 100]} testId="risk-history-chart"
      summary={`Risk over time: ${history.points.length} score${history.points.length === 1 ? "" : "s"} since ${formatDateTime(first.at)}, 7-day risk from ${formatRisk(first.risk7d)} to ${formatRisk(last.risk7d)}.`} />
  )
}
