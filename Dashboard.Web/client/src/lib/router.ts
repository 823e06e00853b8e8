// A tiny history router: the URL is the state (path + query), links push history entries, back/forward work.

import { useSyncExternalStore } from 'react'

const CHANGE = 'sensors360:navigate'

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange)
  window.addEventListener(CHANGE, onChange)
  return () => {
    window.removeEventListener('popstate', onChange)
    window.removeEventListener(CHANGE, onChange)
  }
}

const current = () => window.location.pathname + window.location.search

/** The current path and query, e.g. "/sensors?state=down"; re-renders on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, current)
  const at = href.indexOf('?')
  return { href, path: at < 0 ? href : href.slice(0, at), query: new URLSearchParams(at < 0 ? '' : href.slice(at)) }
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === current()) {
    return
  }
  if (options.replace) {
    window.history.replaceState(null, '', to)
  } else {
    window.history.pushState(null, '', to)
  }
  window.dispatchEvent(new Event(CHANGE))
}

/**
 * Matches "/sensors/:id" against "/sensors/42" → { id: "42" }; null when it does not match. Segments are
 * compared whole; a trailing slash is ignored; parameters are URI-decoded.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const split = (value: string) => value.replace(/\/+$/, '').split('/').filter((segment, i) => i === 0 || segment !== '')
  const want = split(pattern)
  const have = split(path)
  if (want.length !== have.length) {
    return null
  }
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? ''
    const h = have[i] ?? ''
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(h)
      } catch {
        return null
      }
    } else if (w !== h) {
      return null
    }
  }
  return params
}

/** A path and query string, leaving out empty values: withQuery("/sensors", { state: "down", tag: "" }). */
export function withQuery(path: string, query: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value != null && value !== '') {
      params.set(key, value)
    }
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

/** Where to go after signing in: only a local path (never "//host" or "https://…"), else the overview. */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login') ? next : '/'
}
