// Admin › Alerts: the add forms → request bodies, and how channels, rules and deliveries read on screen.

import { formatDuration } from './format'
import { formatLabels, parseLabelLines } from './labels'
import { withQuery } from './router'
import {
  ALERT_CHANNEL_KINDS, WEBHOOK_EVENTS, type AlertChannel, type AlertChannelKind, type AlertChannelRequest, type AlertRuleRequest, type WebhookEvent,
} from './types'

/** The add-channel form as typed; only the field of the chosen kind is sent. */
export interface ChannelForm {
  name: string
  kind: AlertChannelKind
  url: string
  recipients: string
}

/** The add-rule form as typed. */
export interface RuleForm {
  name: string
  events: WebhookEvent[]
  labels: string
  channelIds: number[]
  groupWindowSeconds: string
}

export const DEFAULT_GROUP_WINDOW_SECONDS = 60

export const DELIVERIES_LIMIT = 50

/** Email addresses one per line or separated by commas (or semicolons, as mail programs write them); each once. */
export function splitRecipients(text: string): string[] {
  return [...new Set(text.split(/[\r\n,;]+/).map(address => address.trim()).filter(address => address !== ''))]
}

export function channelRequest(form: ChannelForm): AlertChannelRequest {
  const base = { name: form.name.trim(), kind: form.kind }
  return form.kind === 'email' ? { ...base, recipients: splitRecipients(form.recipients) } : { ...base, url: form.url.trim() }
}

/**
 * The rule to send, and what cannot be sent keyed by field as the server keys its validation errors (none: send
 * it). Events and channels go in the order listed, whatever order they were ticked in; a ticked channel deleted
 * since is left out.
 */
export function ruleRequest(form: RuleForm, channels: readonly Pick<AlertChannel, 'id'>[]): {
  request: AlertRuleRequest
  errors: Partial<Record<keyof AlertRuleRequest, string[]>>
} {
  const errors: Partial<Record<keyof AlertRuleRequest, string[]>> = {}
  const labels = parseLabelLines(form.labels)
  if (labels.errors.length > 0) {
    errors.labels = labels.errors
  }
  const window = form.groupWindowSeconds.trim()
  if (!/^\d+$/.test(window)) {
    errors.groupWindowSeconds = ['A whole number of seconds.']
  }
  return {
    request: {
      name: form.name.trim(),
      events: WEBHOOK_EVENTS.filter(event => form.events.includes(event)),
      labels: labels.labels,
      channelIds: channels.map(channel => channel.id).filter(id => form.channelIds.includes(id)),
      groupWindowSeconds: Number(window),
    },
    errors,
  }
}

/** `list` with `item` ticked (added once) or unticked. */
export function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  const rest = list.filter(x => x !== item)
  return on ? [...rest, item] : rest
}

/** "Microsoft Teams" for "teams"; a kind this page does not know as it came. */
export function kindLabel(kind: string): string {
  return ALERT_CHANNEL_KINDS.find(k => k.value === kind)?.label ?? kind
}

export function describeEvents(events: readonly string[]): string {
  return events.length > 0 ? events.join(', ') : 'every state change'
}

export function describeSelector(labels: Record<string, string>): string {
  return formatLabels(labels) || 'all sensors'
}

/** The channels' names, in the rule's order; one no longer listed by its id. */
export function channelNames(ids: readonly number[], channels: readonly Pick<AlertChannel, 'id' | 'name'>[]): string {
  return ids.map(id => channels.find(channel => channel.id === id)?.name ?? `#${id}`).join(', ')
}

export function describeGroupWindow(seconds: number): string {
  return seconds > 0 ? formatDuration(seconds) : 'none'
}

/** Whether the channel's last attempt failed: it has an error, and no success since. */
export function lastAttemptFailed(channel: Pick<AlertChannel, 'lastAttemptAt' | 'lastSuccessAt' | 'lastError'>): boolean {
  const { lastAttemptAt, lastSuccessAt, lastError } = channel
  if (!lastAttemptAt || lastError == null) {
    return false
  }
  return !lastSuccessAt || Date.parse(lastSuccessAt) < Date.parse(lastAttemptAt)
}

export function deliveriesUrl(failedOnly: boolean, limit = DELIVERIES_LIMIT): string {
  return withQuery('/api/alerts/deliveries', { failed: failedOnly ? 'true' : null, limit: String(limit) })
}
