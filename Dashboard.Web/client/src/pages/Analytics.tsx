import { useMemo, useState } from 'react'
import { Chart, type ChartSeries } from '../components/Chart'
import { ErrorMessage } from '../components/ErrorMessage'
import { Link } from '../components/Link'
import { formatCount, formatDays, formatPercent } from '../lib/format'
import {
  describeIntervals, describeSurvival, intervalRows, labelKeyError, labelListLink, stateShares, survivalColumns,
  type IntervalDistribution, type LabelBreakdown, type SurvivalCurve,
} from '../lib/fleetPictures'
import { withQuery } from '../lib/router'
import { SENSOR_STATES } from '../lib/types'
import { api, resyncStore, statsStore } from '../state/app'
import { useAsync, useDebounced } from '../state/hooks'
import { useStore } from '../state/store'

const SURVIVAL_SERIES: ChartSeries[] = [
  { label: 'Surviving', color: '--line-up', stepped: true, value: formatPercent },
  { label: '95 % upper', color: '--line-retired', width: 1, dash: [2, 3], stepped: true, value: formatPercent },
  { label: '95 % lower', color: '--line-retired', width: 1, dash: [2, 3], stepped: true, value: formatPercent },
]

/** Pictures of the fleet: how long sensors live, and how each site (or any label) is doing. */
export function Analytics() {
  return (
    <>
      <h1>Analytics</h1>
      <Survival />
      <Intervals />
      <ByLabel />
    </>
  )
}

function Survival() {
  const resync = useStore(resyncStore)
  const stats = useStore(statsStore)
  const { data, error } = useAsync(signal => api.get<SurvivalCurve>('/api/stats/survival?maxPoints=2000', { signal }), [resync])
  const columns = useMemo(() => (data ? survivalColumns(data.points) : null), [data])
  const mean = stats?.meanLifespanDays ?? null
  const markers = mean != null ? [{ x: mean, label: `mean lifespan ${formatDays(mean)}`, color: '--line-down' }] : []
  return (
    <section className="card" aria-labelledby="survival-title" data-testid="survival">
      <h2 id="survival-title">How long sensors live</h2>
      <p className="muted">
        The share of sensors still alive after a given number of days (Kaplan–Meier: sensors still running count for as
        long as they have run), with its 95 % confidence band. Only failures end a life; a preventive replacement does not.
      </p>
      <ErrorMessage error={error} testId="survival-error" />
      {data && columns ? (
        <>
          <p data-testid="survival-summary">{describeSurvival(data, mean)}</p>
          {data.summary.lives > 0 ? (
            <Chart data={columns} series={SURVIVAL_SERIES} xTime={false} xLabel="days since first heartbeat" yLabel="% surviving" yRange={[0, 100]}
              band={{ upper: 1, lower: 2, color: '--line-up' }} markers={markers}
              summary={describeSurvival(data, mean)} testId="survival-chart" />
          ) : null}
        </>
      ) : null}
    </section>
  )
}

function Intervals() {
  const resync = useStore(resyncStore)
  const { data, error } = useAsync(signal => api.get<IntervalDistribution>('/api/stats/intervals', { signal }), [resync])
  return (
    <section className="card" aria-labelledby="intervals-title" data-testid="intervals">
      <h2 id="intervals-title">How often sensors report</h2>
      <p className="muted">Each live sensor's mean interval between heartbeats, counted in buckets that double in width.</p>
      <ErrorMessage error={error} testId="intervals-error" />
      {data ? (
        <>
          <p data-testid="intervals-summary" data-p50={data.p50Seconds ?? ''} data-p95={data.p95Seconds ?? ''}>{describeIntervals(data)}</p>
          <table className="histogram" data-testid="intervals-table">
            <thead><tr><th scope="col">Mean interval</th><th scope="col">Sensors</th><th scope="col" className="bar-column"><span className="visually-hidden">Share</span></th></tr></thead>
            <tbody>
              {intervalRows(data).map(row => (
                <tr key={row.range} data-testid="intervals-row">
                  <th scope="row">{row.range}</th>
                  <td>{formatCount(row.sensors)}</td>
                  <td className="bar-column"><span className="bar" style={{ width: `${row.percentOfMax}%` }} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  )
}

function ByLabel() {
  const resync = useStore(resyncStore)
  const [key, setKey] = useState('site')
  const debouncedKey = useDebounced(key.trim())
  const keyError = labelKeyError(debouncedKey)
  const { data, error } = useAsync(
    signal => (keyError ? Promise.resolve(null) : api.get<LabelBreakdown>(withQuery(`/api/stats/labels/${encodeURIComponent(debouncedKey)}`, { limit: '200' }), { signal })),
    [debouncedKey, keyError, resync])
  return (
    <section className="card" aria-labelledby="by-label-title" data-testid="by-label">
      <h2 id="by-label-title">By label</h2>
      <p className="muted">Each value of a label, with its sensors by state. Pick a value to see its sensors.</p>
      <label htmlFor="label-key">Label key</label>{' '}
      <input id="label-key" value={key} onChange={e => setKey(e.target.value)} data-testid="label-key" aria-invalid={keyError ? true : undefined} />
      {keyError && key !== '' ? <p className="hint" role="alert">{keyError}</p> : null}
      <ErrorMessage error={error} testId="by-label-error" />
      {data ? <LabelTable breakdown={data} /> : null}
    </section>
  )
}

function LabelTable({ breakdown }: { breakdown: LabelBreakdown }) {
  return (
    <div className="table-scroll">
      <table data-testid="by-label-table">
        <thead>
          <tr>
            <th scope="col">{breakdown.key}</th>
            <th scope="col">Sensors</th>
            <th scope="col" className="bar-column">By state</th>
            {SENSOR_STATES.map(state => <th scope="col" key={state}>{state}</th>)}
          </tr>
        </thead>
        <tbody>
          {breakdown.groups.map(group => {
            const link = labelListLink(breakdown.key, group.value)
            const shares = stateShares(group)
            return (
              <tr key={group.value ?? '\u0000none'} data-testid="by-label-row" data-value={group.value ?? ''}>
                <th scope="row">{link ? <Link to={link}>{group.value}</Link> : <span className="muted">(no {breakdown.key} label)</span>}</th>
                <td>{formatCount(group.total)}</td>
                <td className="bar-column">
                  <div className="timeline" role="img" aria-label={shares.map(s => `${s.count} ${s.state}`).join(', ')}>
                    {shares.map(s => <span key={s.state} className={`segment state-${s.state}`} style={{ width: `${s.percent}%` }} title={`${s.count} ${s.state}`} />)}
                  </div>
                </td>
                {SENSOR_STATES.map(state => <td key={state} data-state={state}>{formatCount(group[state])}</td>)}
              </tr>
            )
          })}
        </tbody>
      </table>
      {breakdown.more ? <p className="muted">Only the 200 largest groups are shown.</p> : null}
    </div>
  )
}
