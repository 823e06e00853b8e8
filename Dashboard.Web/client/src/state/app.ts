// The app's single session: who is signed in, the HTTP client, the live WebSocket and the fleet state it feeds.

import { ApiClient, ApiError } from '../lib/api'
import { initialLiveState, reduceLiveBatch, snapshotFromStats, type LiveState } from '../lib/live'
import { parseUser } from '../lib/roles'
import { navigate, safeNext } from '../lib/router'
import { gatewaySocketUrl, LiveSocket, type ConnectionStatus } from '../lib/socket'
import type { CurrentUser, FleetStats, SensorAtRiskFrame, ServerMessage, StateChanged } from '../lib/types'
import { Store } from './store'

export interface Session {
  phase: 'checking' | 'signedOut' | 'signedIn'
  user: CurrentUser | null
  /** Why the operator is looking at the login form (session expired…). */
  notice: string | null
}

export const sessionStore = new Store<Session>({ phase: 'checking', user: null, notice: null })
export const liveStore = new Store<LiveState>(initialLiveState)
export const connectionStore = new Store<ConnectionStatus>('offline')
/** The latest GET /api/stats (stale count, Kaplan–Meier: figures the snapshots do not carry). */
export const statsStore = new Store<FleetStats | null>(null)
/** Goes up on every reconnect: screens showing server lists refetch them. */
export const resyncStore = new Store<number>(0)

export const api = new ApiClient({ onUnauthorized: () => signedOut('Your session has ended. Sign in again.') })

/** Listeners for one kind of server frame, called once per batch of messages that holds any. */
function frameListeners<T>(type: ServerMessage['type']) {
  const listeners = new Set<(items: T[]) => void>()
  return {
    subscribe(listener: (items: T[]) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    notify(messages: ServerMessage[]): void {
      const items = messages.flatMap(m => (m.type === type ? [m.data as T] : []))
      if (items.length > 0) listeners.forEach(listener => listener(items))
    },
  }
}

const transitions = frameListeners<StateChanged>('stateChanged')
const predictions = frameListeners<SensorAtRiskFrame>('sensorAtRisk')

/** Every state change the WebSocket reports, in batches (the Sensors table and detail patch their rows). */
export const onTransitions = transitions.subscribe

/** Every `sensorAtRisk` the WebSocket reports, in batches (the maintenance queue and the risk panel refetch). */
export const onSensorsAtRisk = predictions.subscribe

function handleMessages(messages: ServerMessage[]): void {
  liveStore.set(state => reduceLiveBatch(state, messages))
  transitions.notify(messages)
  predictions.notify(messages)
}

export const socket = new LiveSocket({
  url: typeof window === 'undefined' ? 'ws://localhost/ws' : gatewaySocketUrl(window.location),
  onStatus: status => connectionStore.set(status),
  onMessages: handleMessages,
  onOpen: reconnected => {
    if (reconnected) {
      void refreshStats()
      resyncStore.set(n => n + 1)
    }
  },
  // 401 → onUnauthorized signs out; any other failure (gateway down) → keep reconnecting.
  checkSession: () => api.get('/api/auth/me').then(
    () => true,
    error => (error instanceof ApiError && error.status === 401 ? false : Promise.reject(error)),
  ),
})

export async function refreshStats(): Promise<void> {
  try {
    const stats = await api.get<FleetStats>('/api/stats')
    statsStore.set(stats)
    liveStore.set(state => reduceLiveBatch(state, [{ type: 'snapshot', data: snapshotFromStats(stats) }]))
  } catch {
    // The WebSocket's snapshot follows within 5 s; a 401 has already signed out.
  }
}

function signedIn(user: CurrentUser): void {
  sessionStore.set({ phase: 'signedIn', user, notice: null })
  socket.start()
  void refreshStats()
}

function signedOut(notice: string | null): void {
  const wasSignedIn = sessionStore.get().phase === 'signedIn'
  socket.stop()
  api.resetAntiforgery()
  liveStore.set(initialLiveState)
  statsStore.set(null)
  sessionStore.set({ phase: 'signedOut', user: null, notice: wasSignedIn ? notice : null })
  const { pathname, search } = window.location
  if (pathname !== '/login') {
    const next = pathname === '/' && !search ? '' : `?next=${encodeURIComponent(pathname + search)}`
    navigate(`/login${next}`, { replace: true })
  }
}

/** At start-up: is there a session already (cookie)? */
export async function bootstrap(): Promise<void> {
  try {
    const user = parseUser(await api.get('/api/auth/me', { ignoreUnauthorized: true }))
    if (user) {
      signedIn(user)
      return
    }
  } catch {
    // 401, or the gateway is unreachable: show the login form either way
  }
  signedOut(null)
}

/** Signs in; throws ApiError (401 wrong credentials, 429 locked out or rate-limited). */
export async function login(username: string, password: string, next: string | null): Promise<void> {
  const user = parseUser(await api.post('/api/auth/login', { username, password }, { ignoreUnauthorized: true }))
  if (!user) {
    throw new Error('The gateway answered the login with an unexpected body.')
  }
  api.resetAntiforgery() // the token is bound to the user: fetch it now that we are someone
  signedIn(user)
  navigate(safeNext(next), { replace: true })
}

export async function logout(): Promise<void> {
  try {
    await api.post('/api/auth/logout')
  } catch {
    // signed out on this side regardless
  }
  signedOut(null)
}
