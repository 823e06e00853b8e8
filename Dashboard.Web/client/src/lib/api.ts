// The gateway's HTTP API, same origin, session cookie. Cookie-authenticated writes carry X-XSRF-TOKEN from
// GET /api/auth/antiforgery (fetched after login, since the token is bound to the user). A 400 that looks like an
// antiforgery failure is retried once with a fresh token; a 401 anywhere reports "signed out".

import type { Problem } from './types'

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem | null
  /** Seconds from a Retry-After header (429, 503), when the server sent one. */
  readonly retryAfter: number | null

  constructor(status: number, problem: Problem | null, retryAfter: number | null = null) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.retryAfter = retryAfter
  }
}

/** Something to show for any failure: the problem's detail/title, or the error's message. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const { problem, status } = error
    if (status === 403) {
      return problem?.detail ?? 'Your role does not allow this.'
    }
    return problem?.detail ?? problem?.title ?? `The server answered ${status}.`
  }
  if (error instanceof Error) {
    return error.name === 'TypeError' ? 'The gateway cannot be reached.' : error.message
  }
  return String(error)
}

/**
 * A 400 worth one retry with a fresh antiforgery token: it says so, or it is not a validation problem (the
 * gateway rejects a bad token before any handler runs, so retrying cannot repeat a side effect).
 */
export function isAntiforgeryFailure(status: number, problem: Problem | null): boolean {
  if (status !== 400) {
    return false
  }
  const text = `${problem?.title ?? ''} ${problem?.detail ?? ''}`
  return /antiforgery|xsrf|csrf|request verification/i.test(text) || !problem?.errors
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) {
    return null
  }
  const seconds = Number(value)
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds)
  }
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - Date.now()) / 1000))
}

export interface RequestOptions {
  /** A JSON body. */
  json?: unknown
  /** A raw body with its content type (CSV import). */
  body?: string
  contentType?: string
  /** 'text' for a text response (CSV); default JSON (or nothing for 204). */
  responseType?: 'json' | 'text'
  signal?: AbortSignal
  /** Login: a 401 there means "wrong password", not "signed out". */
  ignoreUnauthorized?: boolean
}

export interface ApiClientOptions {
  fetch?: typeof fetch
  /** Called on every 401 (except where ignoreUnauthorized): the session is gone. */
  onUnauthorized?: () => void
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiClient {
  private readonly fetchImpl: typeof fetch
  private readonly onUnauthorized: () => void
  private token: Promise<{ token: string; headerName: string }> | null = null

  constructor(options: ApiClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.onUnauthorized = options.onUnauthorized ?? (() => {})
  }

  /** Forget the antiforgery token (after login/logout; it is bound to the user). */
  resetAntiforgery(): void {
    this.token = null
  }

  private antiforgery(): Promise<{ token: string; headerName: string }> {
    if (!this.token) {
      const pending = this.send<{ token: string; headerName?: string }>('GET', '/api/auth/antiforgery', {}, false).then(r => ({
        token: r.token,
        headerName: r.headerName || 'X-XSRF-TOKEN',
      }))
      pending.catch(() => {
        if (this.token === pending) {
          this.token = null
        }
      })
      this.token = pending
    }
    return this.token
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.send<T>('GET', path, options, true)
  }

  post<T>(path: string, json?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.send<T>('POST', path, { ...options, json }, true)
  }

  /** A JSON merge patch (RFC 7396): the fields given change, null resets one. */
  patch<T>(path: string, json: unknown, options: RequestOptions = {}): Promise<T> {
    return this.send<T>('PATCH', path, { ...options, body: JSON.stringify(json), contentType: 'application/merge-patch+json' }, true)
  }

  put<T>(path: string, json?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.send<T>('PUT', path, { ...options, json }, true)
  }

  delete<T = void>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.send<T>('DELETE', path, options, true)
  }

  private async send<T>(method: string, path: string, options: RequestOptions, withAntiforgery: boolean, retried = false): Promise<T> {
    const headers: Record<string, string> = {
      Accept: options.responseType === 'text' ? 'text/csv, text/plain, application/problem+json' : 'application/json, application/problem+json',
    }
    let body: string | undefined
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'text/plain'
      body = options.body
    }
    const unsafe = UNSAFE.has(method)
    if (unsafe && withAntiforgery && !options.ignoreUnauthorized) {
      const { token, headerName } = await this.antiforgery()
      headers[headerName] = token
    }

    const response = await this.fetchImpl(path, { method, headers, body, credentials: 'same-origin', signal: options.signal })

    if (response.ok) {
      if (response.status === 204) {
        return undefined as T
      }
      if (options.responseType === 'text') {
        return (await response.text()) as T
      }
      const text = await response.text()
      return (text === '' ? undefined : JSON.parse(text)) as T
    }

    const problem = await readProblem(response)
    if (response.status === 401 && !options.ignoreUnauthorized) {
      this.token = null
      this.onUnauthorized()
    }
    if (unsafe && withAntiforgery && !retried && !options.ignoreUnauthorized && isAntiforgeryFailure(response.status, problem)) {
      this.token = null
      return this.send<T>(method, path, options, withAntiforgery, true)
    }
    throw new ApiError(response.status, problem, parseRetryAfter(response.headers.get('Retry-After')))
  }
}

async function readProblem(response: Response): Promise<Problem | null> {
  const type = response.headers.get('Content-Type') ?? ''
  if (!type.includes('json')) {
    return null
  }
  try {
    return (await response.json()) as Problem
  } catch {
    return null
  }
}
