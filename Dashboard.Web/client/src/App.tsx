import { useEffect, useRef } from 'react'
import { ConnectionIndicator } from './components/ConnectionIndicator'
import { Link } from './components/Link'
import { can } from './lib/roles'
import { matchPath, navigate, useLocation } from './lib/router'
import { Admin } from './pages/Admin'
import { Analytics } from './pages/Analytics'
import { Login } from './pages/Login'
import { Maintenance } from './pages/Maintenance'
import { Overview } from './pages/Overview'
import { Register } from './pages/Register'
import { SensorDetail } from './pages/SensorDetail'
import { Sensors } from './pages/Sensors'
import { logout, sessionStore } from './state/app'
import { useStore } from './state/store'
import { setThemePreference, themeStore, type ThemePreference } from './state/theme'
import type { CurrentUser } from './lib/types'

export function App() {
  const session = useStore(sessionStore)
  const { path } = useLocation()

  // Signed out: only the login form. Signed in: never the login form.
  useEffect(() => {
    if (session.phase === 'signedIn' && path === '/login') {
      navigate('/', { replace: true })
    }
  }, [session.phase, path])

  if (session.phase === 'checking') {
    return <main id="main" className="boot"><h1>Sensors 360</h1><p>Loading…</p></main>
  }
  if (session.phase === 'signedOut' || !session.user) {
    return <Login />
  }
  return <Shell user={session.user} path={path} />
}

function NavLink({ to, label, testId, path }: { to: string; label: string; testId: string; path: string }) {
  const current = to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`)
  return <Link to={to} aria-current={current ? 'page' : undefined} data-testid={testId}>{label}</Link>
}

const TITLES: [string, string][] = [
  ['/sensors/', 'Sensor'], ['/sensors', 'Sensors'], ['/maintenance', 'Maintenance'], ['/analytics', 'Analytics'], ['/register', 'Register sensors'], ['/admin', 'Administration'],
]

function Shell({ user, path }: { user: CurrentUser; path: string }) {
  const { preference } = useStore(themeStore)
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)

  // A new page: its title, and focus at the start of its content (as a page load would) for keyboard and screen readers.
  useEffect(() => {
    const title = TITLES.find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'Overview'
    document.title = `${title} · Sensors 360`
    if (first.current) {
      first.current = false
    } else {
      main.current?.focus({ preventScroll: true })
      window.scrollTo(0, 0)
    }
  }, [path])
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to="/" className="brand">Sensors 360</Link>
        <nav aria-label="Main">
          <NavLink to="/" label="Overview" testId="nav-overview" path={path} />
          <NavLink to="/sensors" label="Sensors" testId="nav-sensors" path={path} />
          <NavLink to="/maintenance" label="Maintenance" testId="nav-maintenance" path={path} />
          <NavLink to="/analytics" label="Analytics" testId="nav-analytics" path={path} />
          {can(user, 'register') ? <NavLink to="/register" label="Register" testId="nav-register" path={path} /> : null}
          {can(user, 'admin') ? <NavLink to="/admin" label="Admin" testId="nav-admin" path={path} /> : null}
          {/* The gateway's API reference (Scalar), a page of its own outside the dashboard. */}
          <a href="/scalar/" data-testid="nav-api">API</a>
        </nav>
        <div className="topbar-end">
          <ConnectionIndicator />
          <label className="visually-hidden" htmlFor="theme">Theme</label>
          <select id="theme" value={preference} onChange={e => setThemePreference(e.target.value as ThemePreference)} data-testid="theme-select">
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
          <span className="user" data-testid="current-user" data-role={user.role}>{user.username} <span className="muted">({user.role})</span></span>
          <button type="button" onClick={() => void logout()} data-testid="logout">Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Route path={path} user={user} />
      </main>
    </>
  )
}

function Forbidden() {
  return (
    <>
      <h1>Not available</h1>
      <p>Your role does not allow this page. <Link to="/">Back to the overview</Link></p>
    </>
  )
}

function Route({ path, user }: { path: string; user: CurrentUser }) {
  if (matchPath('/', path)) return <Overview />
  if (matchPath('/sensors', path)) return <Sensors />
  const sensor = matchPath('/sensors/:id', path)
  if (sensor && /^\d+$/.test(sensor.id ?? '')) return <SensorDetail key={sensor.id} id={Number(sensor.id)} />
  if (matchPath('/maintenance', path)) return <Maintenance />
  if (matchPath('/analytics', path)) return <Analytics />
  if (matchPath('/register', path)) return can(user, 'register') ? <Register /> : <Forbidden />
  const admin = matchPath('/admin', path) ?? matchPath('/admin/:section', path)
  if (admin) return can(user, 'admin') ? <Admin section={admin.section ?? 'users'} /> : <Forbidden />
  return (
    <>
      <h1>Not found</h1>
      <p>There is no page at {path}. <Link to="/">Back to the overview</Link></p>
    </>
  )
}
