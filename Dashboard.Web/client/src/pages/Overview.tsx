import { useEffect, useMemo, useState } from 'react'
import { Chart, type ChartSeries } from '../components/Chart'
import { ErrorMessage } from '../components/ErrorMessage'
import { Link } from '../components/Link'
import { StateBadge } from '../components/StateBadge'
import { Tile } from '../components/Tile'
import { formatAgo, formatClock, formatCount, formatDateTime, formatDays, formatDuration, parseTimeSpan, tileNumber } from '../lib/format'
import { behindNotice, historyColumns, type CountsPoint } from '../lib/live'
import type { SensorListItem, SensorPage } from '../lib/types'
import { api, liveStore, onTransitions, resyncStore, statsStore } from '../state/app'
import { useAsync, useNow } from '../state/hooks'
import { useStore } from '../state/store'

const STALE_LIST_SIZE = 50

const CHART_KEYS: (keyof Omit<CountsPoint, 't'>)[] = ['up', 'late', 'down', 'new', 'retired']
const CHART_SERIES: ChartSeries[] = [
  { label: 'Up', color: '--line-up' },
  { label: 'Late', color: '--line-late' },
  { label: 'Down', color: '--line-down' },
  { label: 'New', color: '--line-new', dash: [6, 4] },
  { label: 'Retired', color: '--line-retired', width: 1, dash: [2, 4] },
]

export function Overview() {
  return (
    <>
      <h1>Overview</h1>
      <Tiles />
      <section className="card" aria-labelledby="chart-title">
        <h2 id="chart-title">Sensors by state</h2>
        <StateChart />
      </section>
      <div className="columns">
        <TransitionsFeed />
        <StaleList />
      </div>
    </>
  )
}

function Tiles() {
  const snapshot = useStore(liveStore, s => s.snapshot)
  const stats = useStore(statsStore)
  const stale = useStore(liveStore, s => s.stale)
  const threshold = parseTimeSpan(stale?.threshold) ?? stats?.staleThresholdSeconds ?? null
  const km = stats?.kaplanMeier
  const behind = behindNotice(snapshot)
  return (
    <section aria-labelledby="tiles-title">
      <h2 id="tiles-title" className="visually-hidden">Fleet figures</h2>
      {behind ? <p className="notice" role="status" data-testid="behind-notice">{behind}</p> : null}
      <p className="muted" data-testid="snapshot-at">
        {snapshot ? <>As of {formatClock(snapshot.at)} (refreshed with every snapshot; state changes apply at once)</> : 'Waiting for the first snapshot…'}
      </p>
      <div className="tiles">
        <Tile label="Total" value={tileNumber(snapshot?.total)} testId="tile-total" />
        <Tile label="New" value={tileNumber(snapshot?.new)} testId="tile-new" tone="new" hint="registered, never heard" />
        <Tile label="Up" value={tileNumber(snapshot?.up)} testId="tile-up" tone="up" />
        <Tile label="Late" value={tileNumber(snapshot?.late)} testId="tile-late" tone="late" hint="past interval + grace" />
        <Tile label="Down" value={tileNumber(snapshot?.down)} testId="tile-down" tone="down" hint="silent past the stale threshold" />
        <Tile label="Retired" value={tileNumber(snapshot?.retired)} testId="tile-retired" tone="retired" />
        <Tile label="Stale" value={tileNumber(snapshot?.percentStale, 1)} unit="%" testId="tile-percent-stale"
          hint={threshold != null ? `silent longer than ${formatDuration(threshold)}` : undefined} />
        <Tile label="Mean interval" value={tileNumber(snapshot?.meanIntervalSeconds, 1)} unit="s" testId="tile-mean-interval"
          hint={snapshot?.meanIntervalSeconds != null ? `≈ ${formatDuration(snapshot.meanIntervalSeconds)} between heartbeats` : 'no sensor heard twice yet'} />
        <Tile label="Mean lifespan" value={tileNumber(snapshot?.meanLifespanDays, 1)} unit="d" testId="tile-mean-lifespan"
          hint={km ? `Kaplan–Meier median ${formatDays(km.medianDays)} (${formatCount(km.lives)} lives, ${formatCount(km.ended)} ended)` : 'of completed lives'} />
        <Tile label="Heartbeats" value={tileNumber(snapshot?.heartbeatsPerSecond, 1)} unit="/s" testId="tile-heartbeats-per-second" />
      </div>
    </section>
  )
}

function StateChart() {
  const history = useStore(liveStore, s => s.history)
  const data = useMemo(() => historyColumns(history, CHART_KEYS), [history])
  const last = history[history.length - 1]
  const summary = last
    ? `State counts over the last ${formatDuration(history.length > 1 ? last.t - (history[0]?.t ?? last.t) : 0)}: now ${last.up} up, ${last.late} late, ${last.down} down, ${last.new} new, ${last.retired} retired.`
    : 'No snapshot yet.'
  return (
    <>
      {history.length < 2 ? <p className="muted">The chart fills in as snapshots arrive (a point per snapshot, the last hour kept).</p> : null}
      <Chart data={data as [number[], ...number[][]]} series={CHART_SERIES} yLabel="sensors" summary={summary} testId="state-chart" />
    </>
  )
}

function TransitionsFeed() {
  const transitions = useStore(liveStore, s => s.transitions)
  return (
    <section className="card" aria-labelledby="feed-title">
      <h2 id="feed-title">State changes</h2>
      {transitions.length === 0 ? <p className="muted">None since the dashboard opened; they appear here as they happen.</p> : null}
      <ol className="feed" role="log" aria-live="polite" aria-relevant="additions" aria-label="Live state changes" data-testid="transitions-feed">
        {transitions.slice(0, 50).map(t => (
          <li key={t.key} data-testid="transition" data-sensor-id={t.sensorId} data-to={t.to}>
            <time dateTime={t.at}>{formatClock(t.at)}</time>{' '}
            <Link to={`/sensors/${t.sensorId}`}>#{t.sensorId} {t.tag}</Link>{' '}
            <span className="flip"><StateBadge state={t.from} /> <span aria-label="to">→</span> <StateBadge state={t.to} /></span>
          </li>
        ))}
      </ol>
    </section>
  )
}

function StaleList() {
  const stale = useStore(liveStore, s => s.stale)
  const resync = useStore(resyncStore)
  const [downMoves, setDownMoves] = useState(0)
  const now = useNow(5000)

  // A sensor going down or coming back changes the list: refetch (at most every 2 s).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    const unsubscribe = onTransitions(changes => {
      if (!timer && changes.some(c => c.to === 'down' || c.from === 'down')) {
        timer = setTimeout(() => {
          timer = null
          setDownMoves(n => n + 1)
        }, 2000)
      }
    })
    return () => {
      unsubscribe()
      if (timer) clearTimeout(timer)
    }
  }, [])

  const { data, error } = useAsync(
    signal => api.get<SensorPage>(`/api/sensors?state=down&sort=lastHeartbeat&limit=${STALE_LIST_SIZE}`, { signal }),
    [stale?.at, resync, downMoves],
  )
  const items: SensorListItem[] = data?.items ?? []
  const listed = new Set(items.map(s => s.id))
  const reported = new Set(stale?.sensorIds ?? [])
  const unlisted = (stale?.sensorIds ?? []).filter(id => !listed.has(id)).slice(0, 20)
  const threshold = parseTimeSpan(stale?.threshold)

  return (
    <section className="card" aria-labelledby="stale-title">
      <h2 id="stale-title">Silent sensors</h2>
      <p className="muted">
        {stale ? (
          <>
            <span data-testid="stale-count">{stale.count}</span> silent longer than {formatDuration(threshold)} at the last scan
            ({formatClock(stale.at)}). Down sensors, silent longest first:
          </>
        ) : 'Down sensors, silent longest first (the staleness scan reports every 30 s):'}
      </p>
      <ErrorMessage error={error} />
      <ul className="stale" data-testid="stale-list">
        {items.map(sensor => {
          const since = sensor.lastReceivedAt ?? sensor.lastHeartbeatAt
          return (
            <li key={sensor.id} data-testid={`stale-item-${sensor.id}`} data-in-stale-report={reported.has(sensor.id) || undefined}>
              <Link to={`/sensors/${sensor.id}`}>#{sensor.id} {sensor.tag}</Link>
              <span>
                silent since <time dateTime={since ?? undefined} title={formatDateTime(since)}>{formatDateTime(since)}</time>{' '}
                <span className="muted">({formatAgo(since, now)})</span>
              </span>
            </li>
          )
        })}
        {unlisted.map(id => (
          <li key={`reported-${id}`} data-testid={`stale-item-${id}`} data-in-stale-report>
            <Link to={`/sensors/${id}`}>#{id}</Link> <span className="muted">in the stale report (not down by its own threshold)</span>
          </li>
        ))}
      </ul>
      {data && items.length === 0 && unlisted.length === 0 ? <p className="muted">No silent sensors.</p> : null}
      {items.length === STALE_LIST_SIZE ? <p><Link to="/sensors?state=down&sort=lastHeartbeat">All down sensors →</Link></p> : null}
    </section>
  )
}
