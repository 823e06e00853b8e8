// The sensor list's filters ↔ the URL query of the Sensors screen ↔ GET /api/sensors parameters.

import { SENSOR_STATES, type SensorState } from './types'
import { withQuery } from './router'

export const SORTS = [
  { value: 'id', label: 'ID (oldest first)' },
  { value: '-id', label: 'ID (newest first)' },
  { value: 'tag', label: 'Tag (A → Z)' },
  { value: '-tag', label: 'Tag (Z → A)' },
  { value: 'lastHeartbeat', label: 'Last heartbeat (silent longest first)' },
  { value: '-lastHeartbeat', label: 'Last heartbeat (most recent first)' },
] as const

export type Sort = (typeof SORTS)[number]['value']

export interface SensorFilters {
  states: SensorState[]
  /** Tag prefix (the list's search). */
  tag: string
  /** key:value */
  label: string
  sort: Sort
}

export const PAGE_SIZE = 500

export function filtersFromQuery(query: URLSearchParams): SensorFilters {
  const states = (query.get('state') ?? '')
    .split(',')
    .map(s => s.trim().toLowerCase())
    .filter((s): s is SensorState => (SENSOR_STATES as readonly string[]).includes(s))
  const sort = query.get('sort') ?? 'id'
  return {
    states: SENSOR_STATES.filter(s => states.includes(s)),
    tag: query.get('tag') ?? '',
    label: query.get('label') ?? '',
    sort: (SORTS.some(s => s.value === sort) ? sort : 'id') as Sort,
  }
}

/** The filters as query parameters, the default sort left out: the same for the screen's URL, the API and the export. */
function filterQuery(filters: SensorFilters): Record<string, string> {
  return {
    state: filters.states.join(','),
    tag: filters.tag,
    label: filters.label,
    sort: filters.sort === 'id' ? '' : filters.sort,
  }
}

/** The Sensors screen's own URL for these filters (defaults left out). */
export function filtersToPath(filters: SensorFilters): string {
  return withQuery('/sensors', filterQuery(filters))
}

/** GET /api/sensors for one page: `after` is the previous page's `next`. */
export function sensorListUrl(filters: SensorFilters, after: string | null, limit = PAGE_SIZE): string {
  return withQuery('/api/sensors', { ...filterQuery(filters), after, limit: String(limit) })
}

/** GET /api/sensors/export: the whole filtered list as CSV, in the list's order. */
export function sensorExportUrl(filters: SensorFilters): string {
  return withQuery('/api/sensors/export', filterQuery(filters))
}

/** GET /api/sensors/{id}/heartbeats/export between two moments on the sensor's clock. */
export function heartbeatExportUrl(id: number, from: Date, to: Date): string {
  return withQuery(`/api/sensors/${id}/heartbeats/export`, { from: from.toISOString(), to: to.toISOString() })
}
