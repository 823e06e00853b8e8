import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ErrorMessage } from '../components/ErrorMessage'
import { Link } from '../components/Link'
import { StateBadge } from '../components/StateBadge'
import { VirtualTable, type Column } from '../components/VirtualTable'
import { formatAgo, formatCount, formatDateTime, formatDuration } from '../lib/format'
import { formatLabels, labelFilterError } from '../lib/labels'
import { navigate, useLocation } from '../lib/router'
import { filtersFromQuery, filtersToPath, sensorExportUrl, sensorListUrl, SORTS, type SensorFilters, type Sort } from '../lib/sensorQuery'
import { SENSOR_STATES, type SensorListItem, type SensorPage } from '../lib/types'
import { shouldLoadMore, type RowRange } from '../lib/windowing'
import { api, onTransitions, resyncStore } from '../state/app'
import { useDebounced, useNow } from '../state/hooks'
import { useStore } from '../state/store'

interface ListState {
  items: SensorListItem[]
  next: string | null
  loading: boolean
  error: unknown
  done: boolean
}

/**
 * Pages of the sensor list for `filters`, fetched one after another with the keyset cursor. The component using it is
 * keyed by the filters, so new filters start from an empty list.
 */
function useSensorList(filters: SensorFilters) {
  const [state, setState] = useState<ListState>({ items: [], next: null, loading: true, error: null, done: false })
  const request = useRef<AbortController | null>(null)
  const inflight = useRef<string | null | undefined>(undefined)
  const filtersRef = useRef(filters)

  const fetchPage = useCallback((after: string | null, reset = false) => {
    if (inflight.current === after && request.current && !request.current.signal.aborted) {
      return // this page is already on its way
    }
    request.current?.abort()
    const controller = new AbortController()
    request.current = controller
    inflight.current = after
    api.get<SensorPage>(sensorListUrl(filtersRef.current, after), { signal: controller.signal }).then(
      page => {
        if (controller.signal.aborted) return
        inflight.current = undefined
        setState(s => ({
          items: after === null || reset ? page.items : [...s.items, ...page.items],
          next: page.next,
          loading: false,
          error: null,
          done: page.next === null,
        }))
      },
      error => {
        if (controller.signal.aborted) return
        inflight.current = undefined
        setState(s => ({ ...s, loading: false, error }))
      },
    )
  }, [])

  useEffect(() => {
    fetchPage(null)
    return () => request.current?.abort()
  }, [fetchPage])

  // Live: a loaded sensor that changes state is updated in place.
  useEffect(() => onTransitions(changes => {
    setState(s => {
      const byId = new Map(changes.map(c => [c.sensorId, c]))
      let changed = false
      const items = s.items.map(item => {
        const change = byId.get(item.id)
        if (!change || Date.parse(change.at) <= Date.parse(item.stateSince)) return item
        changed = true
        return { ...item, state: change.to, stateSince: change.at, lastHeartbeatAt: change.lastHeartbeatAt ?? item.lastHeartbeatAt }
      })
      return changed ? { ...s, items } : s
    })
  }), [])

  const loadMore = () => {
    if (state.next && !state.error) {
      setState(s => ({ ...s, loading: true }))
      fetchPage(state.next)
    }
  }

  /** From the first page again (keeps showing the old rows until it arrives). */
  const reload = () => {
    inflight.current = undefined
    setState(s => ({ ...s, loading: true, error: null }))
    fetchPage(null, true)
  }

  /** After a failed page: the same page again. */
  const retry = () => {
    inflight.current = undefined
    setState(s => ({ ...s, loading: true, error: null }))
    fetchPage(state.items.length === 0 ? null : state.next)
  }

  return { ...state, loadMore, reload, retry }
}

export function Sensors() {
  const { query } = useLocation()
  const search = query.toString()
  const filters = useMemo(() => filtersFromQuery(new URLSearchParams(search)), [search])
  const [tag, setTag] = useState(filters.tag)
  const [label, setLabel] = useState(filters.label)
  const debouncedTag = useDebounced(tag)
  const debouncedLabel = useDebounced(label)
  // Back/forward changed the URL's filters (not our own debounced write): show them in the inputs.
  const [urlText, setUrlText] = useState({ tag: filters.tag, label: filters.label })
  if (urlText.tag !== filters.tag || urlText.label !== filters.label) {
    setUrlText({ tag: filters.tag, label: filters.label })
    if (filters.tag !== debouncedTag) setTag(filters.tag)
    if (filters.label !== debouncedLabel) setLabel(filters.label)
  }
  const labelError = labelFilterError(label)

  const update = useCallback((change: Partial<SensorFilters>) => {
    navigate(filtersToPath({ ...filters, ...change }), { replace: true })
  }, [filters])

  useEffect(() => {
    if (debouncedTag !== filters.tag || (debouncedLabel !== filters.label && !labelFilterError(debouncedLabel))) {
      update({ tag: debouncedTag, label: labelFilterError(debouncedLabel) ? filters.label : debouncedLabel })
    }
  }, [debouncedTag, debouncedLabel]) // oxlint-disable-line react-hooks/exhaustive-deps -- only typing writes the URL

  const [goto, setGoto] = useState('')

  return (
    <>
      <h1>Sensors</h1>
      <form className="filters card" role="search" aria-label="Filter sensors" onSubmit={e => e.preventDefault()}>
        <fieldset>
          <legend>State</legend>
          {SENSOR_STATES.map(state => (
            <label key={state} className="check">
              <input type="checkbox" checked={filters.states.includes(state)} data-testid={`filter-state-${state}`}
                onChange={e => update({ states: e.target.checked ? [...filters.states, state] : filters.states.filter(s => s !== state) })} />
              {state}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="filter-tag">Search by tag (prefix)</label>
          <input id="filter-tag" type="search" value={tag} onChange={e => setTag(e.target.value)} data-testid="filter-tag" placeholder="Sensor 1" />
        </div>
        <div className="field">
          <label htmlFor="filter-label">Label (key:value)</label>
          <input id="filter-label" value={label} onChange={e => setLabel(e.target.value)} data-testid="filter-label" placeholder="site:north"
            aria-invalid={labelError ? true : undefined} aria-describedby={labelError ? 'filter-label-error' : undefined} />
          {labelError ? <span id="filter-label-error" className="field-error">{labelError}</span> : null}
        </div>
        <div className="field">
          <label htmlFor="sort">Sort by</label>
          <select id="sort" value={filters.sort} onChange={e => update({ sort: e.target.value as Sort })} data-testid="sort-select">
            {SORTS.map(sort => <option key={sort.value} value={sort.value}>{sort.label}</option>)}
          </select>
        </div>
        <div className="field field-narrow">
          <label htmlFor="goto-id">Open sensor by ID</label>
          <span className="inline">
            <input id="goto-id" inputMode="numeric" pattern="[0-9]*" value={goto} onChange={e => setGoto(e.target.value)} data-testid="goto-id"
              onKeyDown={e => { if (e.key === 'Enter' && /^\d+$/.test(goto.trim())) navigate(`/sensors/${goto.trim()}`) }} />
            <button type="button" disabled={!/^\d+$/.test(goto.trim())} onClick={() => navigate(`/sensors/${goto.trim()}`)}>Open</button>
          </span>
        </div>
      </form>
      <p className="inline">
        <a href={sensorExportUrl(filters)} download data-testid="export-sensors">Export these sensors (CSV)</a>
        <span className="hint">every sensor the filters select, in this order</span>
      </p>

      <SensorList key={sensorListUrl(filters, null)} filters={filters} />
    </>
  )
}

function SensorList({ filters }: { filters: SensorFilters }) {
  const list = useSensorList(filters)
  const resync = useStore(resyncStore)
  const [resyncSeen, setResyncSeen] = useState(resync)
  const now = useNow(5000)

  const onRangeChange = (range: RowRange) => {
    if (shouldLoadMore(range, list.items.length, list.next !== null, list.loading)) {
      list.loadMore()
    }
  }

  const columns: Column<SensorListItem>[] = useMemo(() => [
    { key: 'id', header: 'ID', className: 'col-id', cell: s => s.id },
    {
      key: 'tag', header: 'Tag', className: 'col-tag',
      cell: s => <Link to={`/sensors/${s.id}`} data-testid={`sensor-link-${s.id}`}>{s.tag}</Link>,
    },
    { key: 'state', header: 'State', className: 'col-state', cell: s => <StateBadge state={s.state} testId={`sensor-state-${s.id}`} /> },
    {
      key: 'last', header: 'Last heartbeat', className: 'col-last',
      cell: s => {
        const at = s.lastReceivedAt ?? s.lastHeartbeatAt
        return <time dateTime={at ?? undefined} title={formatDateTime(at)}>{formatAgo(at, now)}</time>
      },
    },
    { key: 'interval', header: 'Mean interval', className: 'col-interval', cell: s => formatDuration(s.meanIntervalSeconds) },
    { key: 'count', header: 'Heartbeats', className: 'col-count', cell: s => formatCount(s.heartbeatCount) },
    { key: 'labels', header: 'Labels', className: 'col-labels', cell: s => <span title={formatLabels(s.labels, '\n')}>{formatLabels(s.labels)}</span> },
  ], [now])

  return (
    <>
      {resync !== resyncSeen ? (
        <p className="notice" role="status">
          The live connection was re-established; rows changed meanwhile may be out of date.{' '}
          <button type="button" onClick={() => { setResyncSeen(resync); list.reload() }}>Reload the list</button>
        </p>
      ) : null}

      <p className="muted" aria-live="polite" data-testid="sensors-loaded-count" data-count={list.items.length} data-complete={list.done}>
        {formatCount(list.items.length)} sensor{list.items.length === 1 ? '' : 's'} loaded{list.done ? '' : ' — more load as you scroll'}
        {list.loading ? ' (loading…)' : ''}
      </p>
      <ErrorMessage error={list.error} />
      {list.error ? <p><button type="button" onClick={list.retry}>Try again</button></p> : null}
      <VirtualTable
        label="Sensors"
        testId="sensors-table"
        rows={list.items}
        columns={columns}
        rowKey={s => s.id}
        rowTestId={s => `sensor-row-${s.id}`}
        onRangeChange={onRangeChange}
        footer={
          <p className="vtable-footer muted">
            {list.loading ? 'Loading…' : list.done ? (list.items.length === 0 ? 'No sensor matches.' : 'End of the list.') : ''}
          </p>
        }
      />
    </>
  )
}
