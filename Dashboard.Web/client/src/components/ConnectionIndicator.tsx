import { connectionStore } from '../state/app'
import { useStore } from '../state/store'

const TEXT = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const

/** The WebSocket's state: data-state is connecting | connected | reconnecting | offline. */
export function ConnectionIndicator() {
  const status = useStore(connectionStore)
  return (
    <span className={`connection connection-${status}`} role="status" aria-live="polite" data-testid="connection-status" data-state={status}
      title={status === 'connected' ? 'Live updates connected' : status === 'offline' ? 'No live updates' : 'Waiting for the gateway'}>
      <span className="dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  )
}
