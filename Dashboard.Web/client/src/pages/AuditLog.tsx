import { useState } from 'react'
import { ErrorMessage } from '../components/ErrorMessage'
import { AUDIT_KINDS, auditUrl, describeDetails, type AuditEntry, type AuditFilters, type AuditPage } from '../lib/audit'
import { formatDateTime } from '../lib/format'
import { api } from '../state/app'
import { useAsync } from '../state/hooks'

/** Admin › Audit log: who did what, when and from where, newest first; filters, then pages of 100 on demand. */
export function AuditLog() {
  const [filters, setFilters] = useState<AuditFilters>({ actor: '', action: '', target: '' })
  const [applied, setApplied] = useState(filters)
  const first = useAsync(signal => api.get<AuditPage>(auditUrl(applied, null), { signal }), [applied])
  // Pages loaded on demand after the first, for the filters they were loaded with (new filters start over).
  const [more, setMore] = useState<{ filters: AuditFilters; pages: AuditPage[] }>({ filters: applied, pages: [] })
  const [moreError, setMoreError] = useState<unknown>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const pages = [...(first.data ? [first.data] : []), ...(more.filters === applied ? more.pages : [])]
  const entries: AuditEntry[] = pages.flatMap(page => page.items)
  const next = pages.at(-1)?.next ?? null
  const loading = first.loading || loadingMore
  const error = first.error ?? moreError

  const loadMore = async () => {
    if (!next) return
    setLoadingMore(true)
    setMoreError(null)
    try {
      const page = await api.get<AuditPage>(auditUrl(applied, next))
      setMore(current => ({ filters: applied, pages: [...(current.filters === applied ? current.pages : []), page] }))
    } catch (failure) {
      setMoreError(failure)
    } finally {
      setLoadingMore(false)
    }
  }

  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <form className="filters" role="search" aria-label="Filter the audit log" data-testid="audit-filters"
        onSubmit={e => { e.preventDefault(); setApplied(filters) }}>
        <div className="field">
          <label htmlFor="audit-actor">Who (user name)</label>
          <input id="audit-actor" value={filters.actor} onChange={e => setFilters({ ...filters, actor: e.target.value })} data-testid="audit-actor" />
        </div>
        <div className="field">
          <label htmlFor="audit-action">What</label>
          <select id="audit-action" value={filters.action} onChange={e => setFilters({ ...filters, action: e.target.value })} data-testid="audit-action">
            {AUDIT_KINDS.map(kind => <option key={kind.value} value={kind.value}>{kind.label}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-target">On what (e.g. sensor 42, user alice)</label>
          <input id="audit-target" value={filters.target} onChange={e => setFilters({ ...filters, target: e.target.value })} data-testid="audit-target" />
        </div>
        <div className="field field-narrow">
          <button type="submit" data-testid="audit-apply">Show</button>
        </div>
      </form>
      <ErrorMessage error={error} />
      <div className="table-scroll">
        <table className="table" data-testid="audit-table">
          <thead>
            <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">From</th><th scope="col">What</th><th scope="col">On</th><th scope="col">Changes</th></tr>
          </thead>
          <tbody>
            {entries.map(entry => (
              <tr key={entry.id} data-testid={`audit-row-${entry.id}`} data-action={entry.action}>
                <td>{formatDateTime(entry.at)}</td>
                <td>{entry.actor}{entry.actorRole ? <span className="muted"> ({entry.actorRole})</span> : null}</td>
                <td>{entry.address ?? '—'}</td>
                <td><code>{entry.action}</code></td>
                <td>{entry.target ?? '—'}</td>
                <td>{describeDetails(entry.details).map(line => <div key={line}>{line}</div>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loading && entries.length === 0 && !error ? <p className="muted">Nothing recorded matches.</p> : null}
      {next ? (
        <button type="button" disabled={loading} onClick={() => void loadMore()} data-testid="audit-more">Load more</button>
      ) : null}
    </section>
  )
}
