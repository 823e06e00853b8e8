import { ROLES, type CurrentUser, type Role } from './types'

/** What the UI offers; the gateway enforces the same rules (403), the UI only hides what would fail. */
export type Action = 'register' | 'import' | 'edit' | 'rotate' | 'retire' | 'replace' | 'admin'

const OPERATOR_ACTIONS: readonly Action[] = ['register', 'import', 'edit', 'rotate', 'retire', 'replace']

const ALLOWED: Record<Role, readonly Action[]> = {
  Viewer: [],
  Operator: OPERATOR_ACTIONS,
  Admin: [...OPERATOR_ACTIONS, 'admin'],
}

/** Whether the signed-in user may do `action`; nobody signed in may do nothing. */
export function can(user: CurrentUser | null | undefined, action: Action): boolean {
  return user != null && (ALLOWED[user.role] ?? []).includes(action)
}

/** A role name from the server, whatever its case; null for anything unknown (treated as no rights). */
export function parseRole(value: unknown): Role | null {
  if (typeof value !== 'string') {
    return null
  }
  return ROLES.find(role => role.toLowerCase() === value.toLowerCase()) ?? null
}

/** The user from /api/auth/me or the login response, or null when the shape is not one. */
export function parseUser(value: unknown): CurrentUser | null {
  if (typeof value !== 'object' || value === null) {
    return null
  }
  const { username, role } = value as { username?: unknown; role?: unknown }
  const parsed = parseRole(role)
  return typeof username === 'string' && parsed ? { username, role: parsed } : null
}
