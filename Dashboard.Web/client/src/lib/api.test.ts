import { describe, expect, it, vi } from 'vitest'
import { ApiClient, ApiError, describeError, isAntiforgeryFailure } from './api'

type Call = { url: string; init: RequestInit }

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  })
}

/** A fetch that answers from a list of responders in order and records each call. */
function fakeFetch(...responders: ((call: Call) => Response)[]) {
  const calls: Call[] = []
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(url), init: init ?? {} }
    calls.push(call)
    const responder = responders.shift()
    if (!responder) {
      throw new Error(`unexpected request ${call.init.method} ${call.url}`)
    }
    return responder(call)
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls }
}

const header = (call: Call | undefined, name: string) => (call?.init.headers as Record<string, string> | undefined)?.[name]

describe('ApiClient antiforgery', () => {
  it('fetches a token once and sends it on every write, never on reads', async () => {
    const { fetch, calls } = fakeFetch(
      () => json(200, { token: 't1', headerName: 'X-XSRF-TOKEN' }),
      () => json(201, { id: 1, tag: 'a', key: 'k' }),
      () => json(200, { id: 1, tag: 'a', key: 'k2' }),
      () => json(200, { items: [], next: null }),
    )
    const api = new ApiClient({ fetch })
    await api.post('/api/sensors', { tag: 'a', labels: {} })
    await api.post('/api/sensors/1/rotate-key')
    await api.get('/api/sensors')

    expect(calls.map(c => `${c.init.method} ${c.url}`)).toEqual([
      'GET /api/auth/antiforgery', 'POST /api/sensors', 'POST /api/sensors/1/rotate-key', 'GET /api/sensors',
    ])
    expect(header(calls[1], 'X-XSRF-TOKEN')).toBe('t1')
    expect(header(calls[2], 'X-XSRF-TOKEN')).toBe('t1')
    expect(header(calls[3], 'X-XSRF-TOKEN')).toBeUndefined()
    expect(calls[1]?.init.body).toBe(JSON.stringify({ tag: 'a', labels: {} }))
  })

  it('refetches the token once after a 400 antiforgery failure and retries the write', async () => {
    const { fetch, calls } = fakeFetch(
      () => json(200, { token: 'stale', headerName: 'X-XSRF-TOKEN' }),
      () => json(400, { title: 'Antiforgery token validation failed', status: 400 }),
      () => json(200, { token: 'fresh', headerName: 'X-XSRF-TOKEN' }),
      () => json(200, { id: 5, tag: 't', labels: {}, state: 'retired' }),
    )
    const api = new ApiClient({ fetch })
    await expect(api.post('/api/sensors/5/retire')).resolves.toMatchObject({ id: 5 })
    expect(header(calls[3], 'X-XSRF-TOKEN')).toBe('fresh')
  })

  it('retries only once', async () => {
    const failure = () => json(400, { title: 'Antiforgery token validation failed', status: 400 })
    const token = () => json(200, { token: 't', headerName: 'X-XSRF-TOKEN' })
    const { fetch, calls } = fakeFetch(token, failure, token, failure)
    const api = new ApiClient({ fetch })
    await expect(api.delete('/api/webhooks/1')).rejects.toMatchObject({ status: 400 })
    expect(calls).toHaveLength(4)
  })

  it('does not retry a validation problem', async () => {
    const { fetch, calls } = fakeFetch(
      () => json(200, { token: 't', headerName: 'X-XSRF-TOKEN' }),
      () => json(400, { title: 'One or more validation errors occurred.', errors: { tag: ['A tag is required.'] } }),
    )
    const api = new ApiClient({ fetch })
    const error = await api.post('/api/sensors', { tag: '' }).catch(e => e as ApiError)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).problem?.errors?.tag).toEqual(['A tag is required.'])
    expect(calls).toHaveLength(2)
  })

  it('uses the header name the gateway gives', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { token: 'abc', headerName: 'X-CSRF' }), () => json(204, undefined))
    await new ApiClient({ fetch }).post('/api/auth/logout')
    expect(header(calls[1], 'X-CSRF')).toBe('abc')
  })

  it('forgets the token on reset (it is bound to the signed-in user)', async () => {
    const { fetch, calls } = fakeFetch(
      () => json(200, { token: 'alice', headerName: 'X-XSRF-TOKEN' }),
      () => json(204, undefined),
      () => json(200, { token: 'bob', headerName: 'X-XSRF-TOKEN' }),
      () => json(204, undefined),
    )
    const api = new ApiClient({ fetch })
    await api.post('/api/auth/logout')
    api.resetAntiforgery()
    await api.post('/api/auth/logout')
    expect(header(calls[3], 'X-XSRF-TOKEN')).toBe('bob')
  })
})

describe('ApiClient errors', () => {
  it('reports a 401 as signed out', async () => {
    const onUnauthorized = vi.fn()
    const { fetch } = fakeFetch(() => json(401, { title: 'Unauthorized', status: 401 }))
    await expect(new ApiClient({ fetch, onUnauthorized }).get('/api/stats')).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).toHaveBeenCalledOnce()
  })

  it('does not treat a failed login as signed out, and sends no token with it', async () => {
    const onUnauthorized = vi.fn()
    const { fetch, calls } = fakeFetch(() => json(401, { title: 'Invalid credentials', status: 401 }))
    const api = new ApiClient({ fetch, onUnauthorized })
    await expect(api.post('/api/auth/login', { username: 'a', password: 'b' }, { ignoreUnauthorized: true }))
      .rejects.toMatchObject({ status: 401, problem: { title: 'Invalid credentials' } })
    expect(onUnauthorized).not.toHaveBeenCalled()
    expect(calls).toHaveLength(1)
  })

  it('carries Retry-After of a 429', async () => {
    const { fetch } = fakeFetch(() => json(429, { title: 'Locked out', status: 429 }, { 'Retry-After': '120' }))
    const error = (await new ApiClient({ fetch }).post('/api/auth/login', {}, { ignoreUnauthorized: true }).catch(e => e)) as ApiError
    expect(error.status).toBe(429)
    expect(error.retryAfter).toBe(120)
  })

  it('sends CSV as text/csv and returns the CSV answer as text', async () => {
    const { fetch, calls } = fakeFetch(
      () => json(200, { token: 't', headerName: 'X-XSRF-TOKEN' }),
      () => new Response('id,tag,key\r\n1,a,k\r\n', { status: 201, headers: { 'Content-Type': 'text/csv' } }),
    )
    const text = await new ApiClient({ fetch }).post<string>('/api/sensors/import', undefined, {
      body: 'tag\na\n', contentType: 'text/csv', responseType: 'text',
    })
    expect(text).toBe('id,tag,key\r\n1,a,k\r\n')
    expect(header(calls[1], 'Content-Type')).toBe('text/csv')
    expect(calls[1]?.init.body).toBe('tag\na\n')
  })

  it('describes errors by their problem detail', () => {
    expect(describeError(new ApiError(409, { title: 'Tag in use', detail: 'An active sensor is already tagged x.' })))
      .toBe('An active sensor is already tagged x.')
    expect(describeError(new ApiError(403, null))).toBe('Your role does not allow this.')
    expect(describeError(new TypeError('Failed to fetch'))).toBe('The gateway cannot be reached.')
  })

  it('recognises antiforgery failures', () => {
    expect(isAntiforgeryFailure(400, { title: 'The antiforgery token could not be decrypted.' })).toBe(true)
    expect(isAntiforgeryFailure(400, null)).toBe(true)
    expect(isAntiforgeryFailure(400, { title: 'Bad', errors: { tag: ['x'] } })).toBe(false)
    expect(isAntiforgeryFailure(403, { title: 'antiforgery' })).toBe(false)
  })
})
