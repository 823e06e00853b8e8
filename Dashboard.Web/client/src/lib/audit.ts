// The audit log's filters ↔ GET /api/audit, and how an entry's details read on screen.

import { withQuery } from './router'

export interface AuditEntry {
  id: string
  at: string
  actor: string
  actorRole: string | null
  address: string | null
  action: string
  target: string | null
  details: Record<string, unknown> | null
}

export interface AuditPage {
  items: AuditEntry[]
  next: string | null
}

export interface AuditFilters {
  actor: string
  /** A whole action name, or a kind ending in '.' ('sensor.'); empty for all. */
  action: string
  target: string
}

export const AUDIT_KINDS = [
  { value: '', label: 'Every action' },
  { value: 'auth.', label: 'Sign-ins' },
  { value: 'user.', label: 'Users' },
  { value: 'token.', label: 'API tokens' },
  { value: 'sensor.', label: 'Sensors' },
  { value: 'collector-key.', label: 'Collector keys' },
  { value: 'webhook.', label: 'Webhooks' },
  { value: 'alert-channel.', label: 'Alert channels' },
  { value: 'alert-rule.', label: 'Alert rules' },
] as const

export const AUDIT_PAGE_SIZE = 100

export function auditUrl(filters: AuditFilters, before: string | null, limit = AUDIT_PAGE_SIZE): string {
  return withQuery('/api/audit', {
    actor: filters.actor.trim(),
    action: filters.action,
    target: filters.target.trim(),
    before,
    limit: String(limit),
  })
}

function value(v: unknown): string {
  if (v === null || v === undefined) return 'default'
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
    return entries.length === 0 ? 'none' : entries.map(([k, x]) => `${k}=${String(x)}`).join(', ')
  }
  return String(v)
}

function isChange(v: unknown): v is { from: unknown; to: unknown } {
  return typeof v === 'object' && v !== null && 'from' in v && 'to' in v && Object.keys(v).length === 2
}

/** One line per field: "graceSeconds: default → 5" for a change, "reason: failed" for a value given. */
export function describeDetails(details: Record<string, unknown> | null): string[] {
  if (!details) return []
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([field, v]) => (isChange(v) ? `${field}: ${value(v.from)} → ${value(v.to)}` : `${field}: ${value(v)}`))
}
