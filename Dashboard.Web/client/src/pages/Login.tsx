import { useState } from 'react'
import { ApiError, describeError } from '../lib/api'
import { formatDuration } from '../lib/format'
import { useLocation } from '../lib/router'
import { login, sessionStore } from '../state/app'
import { useStore } from '../state/store'

/** What to tell the operator about a failed sign-in. */
function loginFailure(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      return error.problem?.detail ?? error.problem?.title ?? 'Wrong user name or password.'
    }
    if (error.status === 429) {
      const wait = error.retryAfter != null ? ` Try again in ${formatDuration(error.retryAfter)}.` : ' Try again later.'
      return `Too many sign-in attempts: the account is locked or this address is rate-limited.${wait}`
    }
  }
  return describeError(error)
}

export function Login() {
  const { query } = useLocation()
  const notice = useStore(sessionStore, s => s.notice)
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ text: string; status: number | null } | null>(null)

  const submit = async (event: React.FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await login(username.trim(), password, query.get('next'))
    } catch (failure) {
      setError({ text: loginFailure(failure), status: failure instanceof ApiError ? failure.status : null })
      setPassword('')
    } finally {
      setBusy(false)
    }
  }

  return (
    <main id="main" className="login">
      <h1>Sensors 360</h1>
      <form className="card" onSubmit={submit} data-testid="login-form" aria-describedby={error ? 'login-error' : undefined}>
        <h2>Sign in</h2>
        {notice && !error ? <p className="notice" role="status">{notice}</p> : null}
        <label htmlFor="login-username">User name</label>
        <input id="login-username" name="username" autoComplete="username" required autoFocus value={username}
          onChange={e => setUsername(e.target.value)} data-testid="login-username" />
        <label htmlFor="login-password">Password</label>
        <input id="login-password" name="password" type="password" autoComplete="current-password" required value={password}
          onChange={e => setPassword(e.target.value)} data-testid="login-password" />
        {error ? (
          <p id="login-error" className="error" role="alert" data-testid="login-error" data-status={error.status ?? undefined}>{error.text}</p>
        ) : null}
        <button type="submit" className="primary" disabled={busy} data-testid="login-submit">{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  )
}
