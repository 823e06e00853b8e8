import { describe, expect, it } from 'vitest'
import { backoffDelay, gatewaySocketUrl, LiveSocket, parseFrame, type ConnectionStatus, type LiveSocketOptions, type SocketLike } from './socket'
import type { HeartbeatFrame, ServerMessage } from './types'

class FakeSocket implements SocketLike {
  readyState = 0
  sent: unknown[] = []
  closedWith: [number | undefined, string | undefined] | null = null
  onopen: SocketLike['onopen'] = null
  onmessage: SocketLike['onmessage'] = null
  onclose: SocketLike['onclose'] = null
  onerror: SocketLike['onerror'] = null
  readonly url: string
  constructor(url: string) { this.url = url }
  send(data: string) { this.sent.push(JSON.parse(data)) }
  close(code?: number, reason?: string) { this.closedWith = [code, reason] }
  // What the server does:
  open() { this.readyState = 1; this.onopen?.({}) }
  receive(message: unknown) { this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) }) }
  drop(code = 1006, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }) }
}

/** Manual clock: timers fire only when the test advances time. */
class FakeTimers {
  time = 0
  private nextId = 1
  private timers = new Map<number, { at: number; callback: () => void; ms: number }>()
  readonly scheduled: number[] = []
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++
    this.timers.set(id, { at: this.time + ms, callback, ms })
    this.scheduled.push(ms)
    return id
  }
  clearTimeout = (id: unknown) => { this.timers.delete(id as number) }
  now = () => this.time
  advance(ms: number) {
    const until = this.time + ms
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0]
      if (!due) break
      this.timers.delete(due[0])
      this.time = due[1].at
      due[1].callback()
    }
    this.time = until
  }
  pending() { return [...this.timers.values()].map(t => t.ms) }
}

function setup(overrides: Partial<LiveSocketOptions> = {}) {
  const sockets: FakeSocket[] = []
  const timers = new FakeTimers()
  const statuses: ConnectionStatus[] = []
  const batches: ServerMessage[][] = []
  const opens: boolean[] = []
  let online = true
  let networkListener: () => void = () => {}
  const live = new LiveSocket({
    url: 'ws://gateway/ws',
    createSocket: url => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket
    },
    timers,
    random: () => 0.5,
    network: { isOnline: () => online, subscribe: listener => { networkListener = listener; return () => {} } },
    flushDelayMs: 100,
    stableAfterMs: 5000,
    onStatus: status => statuses.push(status),
    onMessages: messages => batches.push(messages),
    onOpen: reconnected => opens.push(reconnected),
    ...overrides,
  })
  const last = () => sockets[sockets.length - 1] as FakeSocket
  const setOnline = (value: boolean) => { online = value; networkListener() }
  return { live, sockets, timers, statuses, batches, opens, last, setOnline }
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0))

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt from the base up to the cap', () => {
    const top = () => 0.999999
    const options = { baseMs: 500, maxMs: 30_000 }
    expect([0, 1, 2, 3, 4, 5, 6, 7, 10].map(a => Math.round(backoffDelay(a, top, options)))).toEqual(
      [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })

  it('draws the delay between half the ceiling and the ceiling (jitter)', () => {
    const options = { baseMs: 1000, maxMs: 60_000 }
    expect(backoffDelay(3, () => 0, options)).toBe(4000)
    expect(backoffDelay(3, () => 0.5, options)).toBe(6000)
    expect(backoffDelay(3, () => 0.25, options)).toBe(5000)
  })
})

describe('LiveSocket connection', () => {
  it('connects to the URL and reports connecting, then connected', () => {
    const { live, last, statuses, opens } = setup()
    live.start()
    expect(last().url).toBe('ws://gateway/ws')
    last().open()
    expect(statuses).toEqual(['connecting', 'connected'])
    expect(opens).toEqual([false])
    expect(live.status).toBe('connected')
  })

  it('reconnects with growing, jittered delays while the gateway is away', async () => {
    const { live, sockets, last, timers, statuses } = setup({ checkSession: async () => true })
    live.start()
    last().open()
    last().drop() // the gateway restarts
    await settle()
    expect(statuses.at(-1)).toBe('reconnecting')
    for (let attempt = 0; attempt < 4; attempt++) {
      const delay = timers.pending()[0] ?? -1
      expect(delay).toBe(backoffDelay(attempt, () => 0.5))
      timers.advance(delay)
      last().drop() // still down: the upgrade fails
      await settle()
    }
    expect(sockets).toHaveLength(5)
    expect(live.status).toBe('reconnecting')
  })

  it('resubscribes and reports a reconnect so the app can resync', async () => {
    const { live, last, timers, opens } = setup()
    live.start()
    last().open()
    live.subscribe(42, () => {})
    expect(last().sent).toEqual([{ type: 'subscribe', sensorId: 42 }])
    timers.advance(6000)
    last().drop(1001, 'going away')
    await settle()
    timers.advance(1000)
    last().open()
    expect(last().sent).toEqual([{ type: 'subscribe', sensorId: 42 }])
    expect(opens).toEqual([false, true])
  })

  it('starts the backoff over after a connection that stayed up', async () => {
    const { live, last, timers } = setup()
    live.start()
    last().open()
    last().drop(1008, 'too slow')
    await settle()
    timers.advance(timers.pending()[0] ?? 0) // attempt 0
    last().open()
    last().drop(1008, 'too slow') // open only briefly: the backoff keeps growing
    await settle()
    expect(timers.pending()).toEqual([backoffDelay(1, () => 0.5)])
    timers.advance(timers.pending()[0] ?? 0)
    last().open()
    timers.advance(5000) // stable
    last().drop(1008, 'too slow')
    await settle()
    expect(timers.pending()).toEqual([backoffDelay(0, () => 0.5)])
  })

  it('asks whether the session is gone when a policy close is not about speed, and stops if it is', async () => {
    let asked = 0
    const { live, last, timers, sockets } = setup({ checkSession: async () => { asked++; return false } })
    live.start()
    last().open()
    last().drop(1008, '')
    await settle()
    expect(asked).toBe(1)
    expect(live.status).toBe('offline')
    timers.advance(60_000)
    expect(sockets).toHaveLength(1)
  })

  it('does not suspect the session when closed for being too slow', async () => {
    let asked = 0
    const { live, last, timers, sockets } = setup({ checkSession: async () => { asked++; return true } })
    live.start()
    last().open()
    last().drop(1008, 'too slow')
    await settle()
    timers.advance(1000)
    expect(asked).toBe(0)
    expect(sockets).toHaveLength(2)
  })

  it('keeps trying when the session check itself fails (gateway down)', async () => {
    const { live, last, timers, sockets } = setup({ checkSession: () => Promise.reject(new TypeError('Failed to fetch')) })
    live.start()
    last().drop() // never opened
    await settle()
    timers.advance(1000)
    expect(sockets).toHaveLength(2)
  })

  it('waits while the browser is offline and reconnects at once when it is back', async () => {
    const { live, last, timers, sockets, setOnline } = setup()
    live.start()
    last().open()
    setOnline(false)
    expect(last().closedWith?.[0]).toBe(4000)
    last().drop(4000, 'offline')
    await settle()
    expect(live.status).toBe('offline')
    timers.advance(120_000)
    expect(sockets).toHaveLength(1)
    setOnline(true)
    expect(sockets).toHaveLength(2)
    expect(live.status).toBe('reconnecting')
  })

  it('stops for good on stop()', async () => {
    const { live, last, timers, sockets } = setup()
    live.start()
    last().open()
    live.stop()
    expect(last().closedWith).toEqual([1000, 'signed out'])
    timers.advance(120_000)
    expect(sockets).toHaveLength(1)
    expect(live.status).toBe('offline')
  })
})

describe('LiveSocket messages', () => {
  it('coalesces frames that arrive close together into one batch', () => {
    const { live, last, timers, batches } = setup()
    live.start()
    last().open()
    last().receive({ type: 'snapshot', data: { at: '2026-11-28T10:00:00Z' } })
    last().receive({ type: 'stateChanged', data: { sensorId: 1 } })
    last().receive({ type: 'stateChanged', data: { sensorId: 2 } })
    expect(batches).toHaveLength(0)
    timers.advance(100)
    expect(batches).toHaveLength(1)
    expect(batches[0]?.map(m => m.type)).toEqual(['snapshot', 'stateChanged', 'stateChanged'])
    last().receive({ type: 'stateChanged', data: { sensorId: 3 } })
    timers.advance(100)
    expect(batches).toHaveLength(2)
  })

  it('ignores frames that are not JSON messages', () => {
    const { live, last, timers, batches } = setup()
    live.start()
    last().open()
    last().receive('not json')
    last().receive({ no: 'type' })
    timers.advance(100)
    expect(batches).toHaveLength(0)
    expect(parseFrame('{"type":"hello","data":{}}')?.type).toBe('hello')
  })

  it('hands heartbeats to the subscribers of that sensor only, until they unsubscribe', () => {
    const { live, last, timers } = setup()
    live.start()
    last().open()
    const seen: HeartbeatFrame[] = []
    const other: HeartbeatFrame[] = []
    const unsubscribe = live.subscribe(7, h => seen.push(h))
    live.subscribe(8, h => other.push(h))
    const beat = { type: 'heartbeat', data: { sensorId: 7, sensorTime: '2026-11-28T10:00:00Z', receivedAt: '2026-11-28T10:00:00Z' } }
    last().receive(beat)
    timers.advance(100)
    expect(seen).toHaveLength(1)
    expect(other).toHaveLength(0)
    unsubscribe()
    expect(last().sent.at(-1)).toEqual({ type: 'unsubscribe', sensorId: 7 })
    last().receive(beat)
    timers.advance(100)
    expect(seen).toHaveLength(1)
    expect(live.subscribedSensors).toEqual([8])
  })

  it('unsubscribes from the server only when the last listener of a sensor leaves', () => {
    const { live, last } = setup()
    live.start()
    last().open()
    const first = live.subscribe(7, () => {})
    const second = live.subscribe(7, () => {})
    expect(last().sent).toEqual([{ type: 'subscribe', sensorId: 7 }])
    first()
    expect(last().sent).toHaveLength(1)
    second()
    expect(last().sent.at(-1)).toEqual({ type: 'unsubscribe', sensorId: 7 })
  })

  it('builds the same-origin URL', () => {
    expect(gatewaySocketUrl({ protocol: 'https:', host: 'ops.example:8443' })).toBe('wss://ops.example:8443/ws')
    expect(gatewaySocketUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/ws')
  })
})
