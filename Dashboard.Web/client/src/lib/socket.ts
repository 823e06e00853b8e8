// The gateway's WebSocket (/ws): connect, parse frames, hand them on in batches (one render per batch however
// fast they arrive), keep per-sensor heartbeat subscriptions across reconnects, and reconnect with exponential
// backoff and jitter. A connection that never opened, or one closed with 1008 for anything but "too slow", may mean
// the session is gone: `checkSession` decides whether to keep trying.

import type { HeartbeatFrame, ServerMessage } from './types'

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline'

/** The part of the browser's WebSocket this class uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  now(): number
}

export interface Network {
  isOnline(): boolean
  /** Calls back on every online/offline change; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void
}

export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 }

/**
 * Delay before reconnect attempt `attempt` (0-based): the ceiling doubles from baseMs up to maxMs, and the delay is
 * drawn uniformly from [ceiling / 2, ceiling) ("equal jitter"), so clients that lost the same gateway spread out
 * without any of them retrying at once.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt))
  return ceiling / 2 + random() * (ceiling / 2)
}

const OPEN = 1
/** Close code the gateway uses for a policy close; with reason "too slow" it is about the client's speed. */
export const POLICY_VIOLATION = 1008
const TOO_SLOW = 'too slow'

export interface LiveSocketOptions {
  url: string
  createSocket?: (url: string) => SocketLike
  timers?: Timers
  random?: () => number
  network?: Network
  backoff?: BackoffOptions
  /** Messages arriving within this window are handed on together. */
  flushDelayMs?: number
  /** A connection that stayed open this long resets the backoff. */
  stableAfterMs?: number
  onStatus?: (status: ConnectionStatus) => void
  onMessages?: (messages: ServerMessage[]) => void
  /** After every open; `reconnected` is true from the second connection on (time to resync). */
  onOpen?: (reconnected: boolean) => void
  /** Asked before retrying a connection that may have failed for want of a session; false stops for good. */
  checkSession?: () => Promise<boolean>
}

const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: handle => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
}

const browserNetwork: Network = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  subscribe: onChange => {
    if (typeof window === 'undefined') {
      return () => {}
    }
    window.addEventListener('online', onChange)
    window.addEventListener('offline', onChange)
    return () => {
      window.removeEventListener('online', onChange)
      window.removeEventListener('offline', onChange)
    }
  },
}

/** A frame as a message, or null when it is not JSON with a string `type`. */
export function parseFrame(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') {
    return null
  }
  try {
    const message = JSON.parse(data) as { type?: unknown; data?: unknown }
    return typeof message?.type === 'string' ? (message as ServerMessage) : null
  } catch {
    return null
  }
}

export class LiveSocket {
  private readonly options: Required<Omit<LiveSocketOptions, 'checkSession'>> & Pick<LiveSocketOptions, 'checkSession'>
  private socket: SocketLike | null = null
  private started = false
  private everOpened = false
  private openedAt: number | null = null
  private attempt = 0
  private reconnectTimer: unknown = null
  private flushTimer: unknown = null
  private queue: ServerMessage[] = []
  private readonly subscriptions = new Map<number, Set<(heartbeat: HeartbeatFrame) => void>>()
  private unsubscribeNetwork: (() => void) | null = null
  private currentStatus: ConnectionStatus = 'offline'

  constructor(options: LiveSocketOptions) {
    this.options = {
      createSocket: url => new WebSocket(url) as unknown as SocketLike,
      timers: browserTimers,
      random: Math.random,
      network: browserNetwork,
      backoff: DEFAULT_BACKOFF,
      flushDelayMs: 100,
      stableAfterMs: 5000,
      onStatus: () => {},
      onMessages: () => {},
      onOpen: () => {},
      ...options,
    }
  }

  get status(): ConnectionStatus {
    return this.currentStatus
  }

  /** The sensors this client wants heartbeats of (sent again after every reconnect). */
  get subscribedSensors(): number[] {
    return [...this.subscriptions.keys()]
  }

  start(): void {
    if (this.started) {
      return
    }
    this.started = true
    this.attempt = 0
    this.unsubscribeNetwork = this.options.network.subscribe(() => this.onNetworkChange())
    if (this.options.network.isOnline()) {
      this.connect()
    } else {
      this.setStatus('offline')
    }
  }

  /** Closes for good (sign-out): no reconnects until start() again. */
  stop(): void {
    this.started = false
    this.unsubscribeNetwork?.()
    this.unsubscribeNetwork = null
    this.cancelReconnect()
    this.flush()
    const socket = this.socket
    this.socket = null
    this.openedAt = null
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null
      socket.close(1000, 'signed out')
    }
    this.everOpened = false
    this.setStatus('offline')
  }

  /** Live heartbeats of one sensor until the returned function is called. */
  subscribe(sensorId: number, listener: (heartbeat: HeartbeatFrame) => void): () => void {
    let listeners = this.subscriptions.get(sensorId)
    if (!listeners) {
      listeners = new Set()
      this.subscriptions.set(sensorId, listeners)
      this.send({ type: 'subscribe', sensorId })
    }
    listeners.add(listener)
    return () => {
      const current = this.subscriptions.get(sensorId)
      if (!current?.delete(listener) || current.size > 0) {
        return
      }
      this.subscriptions.delete(sensorId)
      this.send({ type: 'unsubscribe', sensorId })
    }
  }

  private send(message: object): void {
    if (this.socket && this.socket.readyState === OPEN && this.openedAt !== null) {
      this.socket.send(JSON.stringify(message))
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (status !== this.currentStatus) {
      this.currentStatus = status
      this.options.onStatus(status)
    }
  }

  private connect(): void {
    this.cancelReconnect()
    if (!this.started || this.socket) {
      return
    }
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting')
    let socket: SocketLike
    try {
      socket = this.options.createSocket(this.options.url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = socket
    socket.onopen = () => {
      if (this.socket !== socket) {
        return
      }
      this.openedAt = this.options.timers.now()
      const reconnected = this.everOpened
      this.everOpened = true
      this.setStatus('connected')
      for (const sensorId of this.subscriptions.keys()) {
        this.send({ type: 'subscribe', sensorId })
      }
      this.options.onOpen(reconnected)
    }
    socket.onmessage = event => {
      if (this.socket !== socket) {
        return
      }
      const message = parseFrame(event.data)
      if (message) {
        this.queue.push(message)
        this.scheduleFlush()
      }
    }
    socket.onclose = event => {
      if (this.socket === socket) {
        this.onClosed(event.code, event.reason)
      }
    }
    // An error is always followed by close; nothing to do here.
    socket.onerror = () => {}
  }

  private onClosed(code: number, reason: string): void {
    this.socket = null
    this.flush()
    const wasOpen = this.openedAt !== null
    if (wasOpen && this.options.timers.now() - (this.openedAt ?? 0) >= this.options.stableAfterMs) {
      this.attempt = 0
    }
    this.openedAt = null
    if (!this.started) {
      return
    }
    if (!this.options.network.isOnline()) {
      this.setStatus('offline') // onNetworkChange reconnects when the browser is back online
      return
    }
    this.setStatus('reconnecting')
    const maybeSignedOut = !wasOpen || (code === POLICY_VIOLATION && reason !== TOO_SLOW)
    const checkSession = this.options.checkSession
    if (maybeSignedOut && checkSession) {
      checkSession().then(
        signedIn => (signedIn ? this.scheduleReconnect() : this.stop()),
        () => this.scheduleReconnect(), // the gateway is down: keep trying
      )
    } else {
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    if (!this.started || this.socket || this.reconnectTimer !== null) {
      return
    }
    const delay = backoffDelay(this.attempt, this.options.random, this.options.backoff)
    this.attempt++
    this.reconnectTimer = this.options.timers.setTimeout(() => {
      this.reconnectTimer = null
      this.connect()
    }, delay)
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer !== null) {
      this.options.timers.clearTimeout(this.reconnectTimer)
      this.reconnectTimer = null
    }
  }

  private onNetworkChange(): void {
    if (!this.started) {
      return
    }
    if (!this.options.network.isOnline()) {
      this.cancelReconnect()
      this.setStatus('offline')
      this.socket?.close(4000, 'offline')
      return
    }
    if (!this.socket) {
      this.attempt = 0
      this.connect()
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer === null) {
      this.flushTimer = this.options.timers.setTimeout(() => {
        this.flushTimer = null
        this.flush()
      }, this.options.flushDelayMs)
    }
  }

  private flush(): void {
    if (this.flushTimer !== null) {
      this.options.timers.clearTimeout(this.flushTimer)
      this.flushTimer = null
    }
    if (this.queue.length === 0) {
      return
    }
    const messages = this.queue
    this.queue = []
    for (const message of messages) {
      if (message.type === 'heartbeat') {
        this.subscriptions.get(message.data.sensorId)?.forEach(listener => listener(message.data))
      }
    }
    this.options.onMessages(messages)
  }
}

/** ws(s)://<this host>/ws */
export function gatewaySocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
}
