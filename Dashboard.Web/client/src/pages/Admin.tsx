import { useState } from 'react'
import { ConfirmButton } from '../components/ConfirmButton'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { Link } from '../components/Link'
import { RecordTable } from '../components/RecordTable'
import { SecretReveal } from '../components/SecretReveal'
import { formatCount, formatDateTime } from '../lib/format'
import { formatLabels, parseLabelLines } from '../lib/labels'
import {
  ROLES, WEBHOOK_EVENTS, type ApiTokenCreated, type ApiTokenSummary, type CollectorKeyCreated, type CollectorKeySummary, type Role,
  type UserSummary, type WebhookCreated, type WebhookEvent, type WebhookSummary,
} from '../lib/types'
import { api, sessionStore } from '../state/app'
import { useAsync, useCreation } from '../state/hooks'
import { useStore } from '../state/store'
import { Alerts } from './Alerts'
import { AuditLog } from './AuditLog'

export const ADMIN_SECTIONS = [
  { id: 'users', label: 'Users' },
  { id: 'tokens', label: 'API tokens' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'collector-keys', label: 'Collector keys' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'audit', label: 'Audit log' },
] as const

export function Admin({ section }: { section: string }) {
  const current = ADMIN_SECTIONS.find(s => s.id === section) ?? ADMIN_SECTIONS[0]
  return (
    <>
      <h1>Administration</h1>
      <nav className="tabs" aria-label="Administration">
        {ADMIN_SECTIONS.map(s => (
          <Link key={s.id} to={`/admin/${s.id}`} aria-current={s.id === current.id ? 'page' : undefined} data-testid={`admin-nav-${s.id}`}>
            {s.label}
          </Link>
        ))}
      </nav>
      {current.id === 'users' ? <Users /> : null}
      {current.id === 'tokens' ? <Tokens /> : null}
      {current.id === 'webhooks' ? <Webhooks /> : null}
      {current.id === 'collector-keys' ? <CollectorKeys /> : null}
      {current.id === 'alerts' ? <Alerts /> : null}
      {current.id === 'audit' ? <AuditLog /> : null}
    </>
  )
}

function RoleSelect({ id, value, onChange, testId, disabled }: { id: string; value: Role; onChange: (role: Role) => void; testId?: string; disabled?: boolean }) {
  return (
    <select id={id} value={value} onChange={e => onChange(e.target.value as Role)} data-testid={testId} disabled={disabled}>
      {ROLES.map(role => <option key={role} value={role}>{role}</option>)}
    </select>
  )
}

// Users ------------------------------------------------------------------------------------------------------------

function Users() {
  const me = useStore(sessionStore, s => s.user)
  const users = useAsync(signal => api.get<UserSummary[]>('/api/users', { signal }), [])
  const [rowError, setRowError] = useState<unknown>(null)
  const [resetting, setResetting] = useState<string | null>(null)

  const changeRole = async (username: string, role: Role) => {
    setRowError(null)
    try {
      await api.put(`/api/users/${encodeURIComponent(username)}`, { role })
    } catch (error) {
      setRowError(error)
    }
    users.reload()
  }

  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      <ErrorMessage error={users.error ?? rowError} />
      <RecordTable testId="users-table" columns={['User', 'Role', 'Locked out until']} records={users.data} row={user => (
        <tr key={user.username} data-testid={`user-row-${user.username}`}>
          <th scope="row">{user.username}{user.username === me?.username ? ' (you)' : ''}</th>
          <td>
            <label className="visually-hidden" htmlFor={`role-${user.username}`}>Role of {user.username}</label>
            <RoleSelect id={`role-${user.username}`} value={user.role} onChange={role => void changeRole(user.username, role)}
              testId={`user-role-${user.username}`} />
          </td>
          <td>{user.lockedOutUntil ? formatDateTime(user.lockedOutUntil) : '—'}</td>
          <td className="row-actions">
            <button type="button" onClick={() => setResetting(user.username)} data-testid={`user-reset-${user.username}`}
              aria-label={`Reset the password of ${user.username}`}>Reset password</button>
            <ConfirmButton label="Delete" ariaLabel={`Delete ${user.username}`} title={`Delete ${user.username}?`}
              testId={`user-delete-${user.username}`}
              onConfirm={async () => { await api.delete(`/api/users/${encodeURIComponent(user.username)}`); users.reload() }}>
              <p><strong>{user.username}</strong> will no longer be able to sign in.</p>
            </ConfirmButton>
          </td>
        </tr>
      )} />
      <ResetPassword username={resetting} onDone={() => { setResetting(null); users.reload() }} />
      <CreateUser onCreated={users.reload} />
    </section>
  )
}

function ResetPassword({ username, onDone }: { username: string | null; onDone: () => void }) {
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const close = () => { setPassword(''); setError(null); onDone() }
  return (
    <ConfirmDialog open={username !== null} title={`New password for ${username ?? ''}`} confirmLabel="Set password" busy={busy} confirmDisabled={password.length < 12}
      onCancel={close}
      onConfirm={async () => {
        setBusy(true)
        try {
          await api.put(`/api/users/${encodeURIComponent(username ?? '')}`, { password })
          close()
        } catch (failure) {
          setError(failure)
        } finally {
          setBusy(false)
        }
      }}>
      <label htmlFor="reset-password">New password (at least 12 characters; setting it also unlocks the account)</label>
      <input id="reset-password" type="password" autoComplete="new-password" minLength={12} value={password}
        onChange={e => setPassword(e.target.value)} data-testid="reset-password" />
      <ErrorMessage error={error} />
    </ConfirmDialog>
  )
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>('Viewer')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form className="subform" data-testid="user-create-form" onSubmit={async event => {
      event.preventDefault()
      setBusy(true)
      setError(null)
      try {
        await api.post('/api/users', { username: username.trim(), password, role })
        setUsername('')
        setPassword('')
        onCreated()
      } catch (failure) {
        setError(failure)
      } finally {
        setBusy(false)
      }
    }}>
      <h3>Add a user</h3>
      <div className="inline-fields">
        <div className="field">
          <label htmlFor="new-username">User name</label>
          <input id="new-username" required autoComplete="off" value={username} onChange={e => setUsername(e.target.value)} data-testid="user-create-username" />
        </div>
        <div className="field">
          <label htmlFor="new-password">Password (12+ characters)</label>
          <input id="new-password" type="password" required minLength={12} autoComplete="new-password" value={password}
            onChange={e => setPassword(e.target.value)} data-testid="user-create-password" />
        </div>
        <div className="field">
          <label htmlFor="new-role">Role</label>
          <RoleSelect id="new-role" value={role} onChange={setRole} testId="user-create-role" />
        </div>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy} data-testid="user-create-submit">Add user</button>
    </form>
  )
}

// API tokens ---------------------------------------------------------------------------------------------------------

function Tokens() {
  const tokens = useAsync(signal => api.get<ApiTokenSummary[]>('/api/tokens', { signal }), [])
  const [name, setName] = useState('')
  const [role, setRole] = useState<Role>('Viewer')
  const [days, setDays] = useState('')
  const { created, error, submit } = useCreation<ApiTokenCreated>()

  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="hint">Long-lived bearer tokens for scripts (<code>Authorization: Bearer …</code>); revocable at any time.</p>
      <ErrorMessage error={tokens.error} />
      <RecordTable testId="tokens-table" columns={['Name', 'Role', 'Created', 'Expires', 'Last used']} records={tokens.data} row={token => (
        <tr key={token.id} data-testid={`token-row-${token.id}`}>
          <th scope="row">{token.name}</th>
          <td>{token.role}</td>
          <td>{formatDateTime(token.createdAt)} by {token.createdBy}</td>
          <td>{token.expiresAt ? formatDateTime(token.expiresAt) : 'never'}</td>
          <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'never'}</td>
          <td>
            <ConfirmButton label="Revoke" ariaLabel={`Revoke ${token.name}`} title={`Revoke the token "${token.name}"?`} testId={`token-revoke-${token.id}`}
              onConfirm={async () => { await api.delete(`/api/tokens/${encodeURIComponent(String(token.id))}`); tokens.reload() }}>
              <p>Scripts using it are refused from now on.</p>
            </ConfirmButton>
          </td>
        </tr>
      )} />
      <form className="subform" data-testid="token-create-form" onSubmit={submit(
        () => api.post<ApiTokenCreated>('/api/tokens', { name: name.trim(), role, expiresInDays: days.trim() === '' ? undefined : Number(days) }),
        () => { setName(''); tokens.reload() })}>
        <h3>Create a token</h3>
        <div className="inline-fields">
          <div className="field">
            <label htmlFor="token-name">Name</label>
            <input id="token-name" required value={name} onChange={e => setName(e.target.value)} data-testid="token-create-name" />
          </div>
          <div className="field">
            <label htmlFor="token-role">Role</label>
            <RoleSelect id="token-role" value={role} onChange={setRole} testId="token-create-role" />
          </div>
          <div className="field">
            <label htmlFor="token-days">Expires in days (empty: never)</label>
            <input id="token-days" type="number" min={1} step={1} value={days} onChange={e => setDays(e.target.value)} data-testid="token-create-days" />
          </div>
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" data-testid="token-create-submit">Create token</button>
      </form>
      {created ? <SecretReveal kind="token" value={created.token}><p>Token "{created.name}" ({created.role}).</p></SecretReveal> : null}
    </section>
  )
}

// Webhooks -----------------------------------------------------------------------------------------------------------

function Webhooks() {
  const hooks = useAsync(signal => api.get<WebhookSummary[]>('/api/webhooks', { signal }), [])
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<WebhookEvent[]>([])
  const { created, error, submit } = useCreation<WebhookCreated>()

  return (
    <section className="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="hint">State changes (and, for <code>at-risk</code>, failure predictions) are POSTed to each URL, signed with its secret (header <code>X-Sensors360-Signature</code>).</p>
      <ErrorMessage error={hooks.error} />
      <RecordTable testId="webhooks-table" columns={['URL', 'Events', 'Last delivery', 'Delivered / failed']} records={hooks.data} row={hook => (
        <tr key={hook.id} data-testid={`webhook-row-${hook.id}`}>
          <th scope="row" className="wrap">{hook.url}</th>
          <td>{hook.events.length > 0 ? hook.events.join(', ') : 'all'}</td>
          <td>
            {hook.lastAttemptAt ? <>{formatDateTime(hook.lastAttemptAt)}: {hook.lastError ?? (hook.lastStatusCode != null ? `HTTP ${hook.lastStatusCode}` : '—')}</> : 'none yet'}
          </td>
          <td>{formatCount(hook.deliveriesSucceeded)} / {formatCount(hook.deliveriesFailed)}</td>
          <td>
            <ConfirmButton label="Delete" ariaLabel={`Delete the webhook ${hook.url}`} title="Delete this webhook?" testId={`webhook-delete-${hook.id}`}
              onConfirm={async () => { await api.delete(`/api/webhooks/${hook.id}`); hooks.reload() }}>
              <p>No more deliveries to <strong>{hook.url}</strong>.</p>
            </ConfirmButton>
          </td>
        </tr>
      )} />
      <form className="subform" data-testid="webhook-create-form" onSubmit={submit(
        () => api.post<WebhookCreated>('/api/webhooks', { url: url.trim(), events }),
        () => { setUrl(''); hooks.reload() })}>
        <h3>Add a webhook</h3>
        <label htmlFor="webhook-url">URL</label>
        <input id="webhook-url" type="url" required placeholder="https://example.com/hooks/sensors360" value={url}
          onChange={e => setUrl(e.target.value)} data-testid="webhook-create-url" />
        <fieldset>
          <legend>Deliver changes to, or at-risk predictions (none ticked: every state change)</legend>
          {WEBHOOK_EVENTS.map(event => (
            <label key={event} className="check">
              <input type="checkbox" checked={events.includes(event)} data-testid={`webhook-create-event-${event}`}
                onChange={e => setEvents(e.target.checked ? [...events, event] : events.filter(s => s !== event))} />
              {event}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" data-testid="webhook-create-submit">Add webhook</button>
      </form>
      {created ? <SecretReveal kind="secret" value={created.secret}><p>Signing secret of {created.url}.</p></SecretReveal> : null}
    </section>
  )
}

// Collector keys -----------------------------------------------------------------------------------------------------

function CollectorKeys() {
  const keys = useAsync(signal => api.get<CollectorKeySummary[]>('/api/collector-keys', { signal }), [])
  const [name, setName] = useState('')
  const [selector, setSelector] = useState('')
  const { created, error, submit } = useCreation<CollectorKeyCreated>()
  const parsed = parseLabelLines(selector)

  return (
    <section className="card" aria-labelledby="collectors-title">
      <h2 id="collectors-title">Collector keys</h2>
      <p className="hint">A collector forwards heartbeats of many sensors: every sensor, or those whose labels contain the whole selector.</p>
      <ErrorMessage error={keys.error} />
      <RecordTable testId="collector-keys-table" columns={['Name', 'Selector', 'Created', 'Revoked']} records={keys.data} row={key => (
        <tr key={key.id} data-testid={`collector-key-row-${key.id}`}>
          <th scope="row">{key.name}</th>
          <td>{formatLabels(key.selector) || 'all sensors'}</td>
          <td>{formatDateTime(key.createdAt)}</td>
          <td>{key.revokedAt ? formatDateTime(key.revokedAt) : '—'}</td>
          <td>
            {key.revokedAt ? null : (
              <ConfirmButton label="Revoke" ariaLabel={`Revoke ${key.name}`} title={`Revoke the collector key "${key.name}"?`} testId={`collector-key-revoke-${key.id}`}
                onConfirm={async () => { await api.delete(`/api/collector-keys/${key.id}`); keys.reload() }}>
                <p>It stops working at once.</p>
              </ConfirmButton>
            )}
          </td>
        </tr>
      )} />
      <form className="subform" data-testid="collector-key-create-form" onSubmit={parsed.errors.length > 0 ? event => event.preventDefault() : submit(
        () => api.post<CollectorKeyCreated>('/api/collector-keys', { name: name.trim(), selector: parsed.labels }),
        () => { setName(''); setSelector(''); keys.reload() })}>
        <h3>Create a collector key</h3>
        <label htmlFor="collector-name">Name</label>
        <input id="collector-name" required value={name} onChange={e => setName(e.target.value)} data-testid="collector-key-create-name" />
        <label htmlFor="collector-selector">Selector (one key=value per line; empty: all sensors)</label>
        <textarea id="collector-selector" rows={2} value={selector} onChange={e => setSelector(e.target.value)} data-testid="collector-key-create-selector"
          aria-invalid={parsed.errors.length > 0 ? true : undefined} aria-describedby="collector-selector-help" />
        <span id="collector-selector-help" className={parsed.errors.length > 0 ? 'field-error' : 'hint'}>{parsed.errors.join(' ')}</span>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={parsed.errors.length > 0} data-testid="collector-key-create-submit">Create key</button>
      </form>
      {created ? <SecretReveal kind="key" value={created.key}><p>Collector key "{created.name}".</p></SecretReveal> : null}
    </section>
  )
}
