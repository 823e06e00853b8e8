import { describe, expect, it } from 'vitest'
import { filtersFromQuery, filtersToPath, heartbeatExportUrl, sensorExportUrl, sensorListUrl } from './sensorQuery'

describe('sensor list filters', () => {
  it('read from the URL, ignoring unknown states and sorts', () => {
    const filters = filtersFromQuery(new URLSearchParams('state=down,bogus,UP&tag=Sensor 1&label=site:north&sort=nope'))
    expect(filters).toEqual({ states: ['up', 'down'], tag: 'Sensor 1', label: 'site:north', sort: 'id' })
  })

  it('round-trip through the screen URL', () => {
    const filters = { states: ['late', 'down'] as const, tag: 'a&b', label: 'k:v', sort: '-lastHeartbeat' as const }
    const path = filtersToPath({ ...filters, states: [...filters.states] })
    expect(path.startsWith('/sensors?')).toBe(true)
    expect(filtersFromQuery(new URLSearchParams(path.slice(path.indexOf('?'))))).toEqual({ ...filters, states: ['late', 'down'] })
    expect(filtersToPath({ states: [], tag: '', label: '', sort: 'id' })).toBe('/sensors')
  })

  it('become the list request with the keyset cursor', () => {
    const url = sensorListUrl({ states: ['down'], tag: '', label: 'site:north', sort: 'lastHeartbeat' }, 'eyJLZXkiOm51bGx9', 500)
    const query = new URLSearchParams(url.slice(url.indexOf('?')))
    expect(url.startsWith('/api/sensors?')).toBe(true)
    expect(Object.fromEntries(query)).toEqual({ state: 'down', label: 'site:north', sort: 'lastHeartbeat', after: 'eyJLZXkiOm51bGx9', limit: '500' })
  })

  it('export the whole filtered list, without paging', () => {
    const url = sensorExportUrl({ states: ['late', 'down'], tag: 'a&b', label: 'site:north', sort: '-tag' })
    expect(url.startsWith('/api/sensors/export?')).toBe(true)
    expect(Object.fromEntries(new URLSearchParams(url.slice(url.indexOf('?'))))).toEqual({ state: 'late,down', tag: 'a&b', label: 'site:north', sort: '-tag' })
    expect(sensorExportUrl({ states: [], tag: '', label: '', sort: 'id' })).toBe('/api/sensors/export')
  })

  it('export a sensor\'s heartbeats between two moments, in UTC', () => {
    const url = heartbeatExportUrl(42, new Date(Date.UTC(2026, 11, 5, 12)), new Date(Date.UTC(2026, 11, 6, 12)))
    expect(url).toBe('/api/sensors/42/heartbeats/export?from=2026-12-05T12%3A00%3A00.000Z&to=2026-12-06T12%3A00%3A00.000Z')
  })
})
