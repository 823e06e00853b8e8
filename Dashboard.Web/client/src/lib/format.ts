// Number, duration and time formatting. The UI is English, so en-US everywhere (tests depend on it too).

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** Shown where a value is unknown (no heartbeats yet, no snapshot yet). */
export const NO_VALUE = '—'

function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** A whole number with thousands separators: 12,345. */
export function formatCount(value: number | null | undefined): string {
  return isNumber(value) ? counts.format(value) : NO_VALUE
}

/**
 * The text of a tile's value: machine-readable (no separators, no unit) so that tests and screen readers get the
 * number itself; the unit is rendered next to it. Unknown values are "—".
 */
export function tileNumber(value: number | null | undefined, decimals = 0): string {
  if (!isNumber(value)) {
    return NO_VALUE
  }
  return decimals === 0 ? String(Math.round(value)) : value.toFixed(decimals)
}

/** 12.3 % (the value is already a percentage, 0–100). */
export function formatPercent(value: number | null | undefined, decimals = 1): string {
  return isNumber(value) ? `${value.toFixed(decimals)} %` : NO_VALUE
}

/**
 * A duration for people: 350 ms, 4.8 s, 42 s, 12 min 5 s, 3 h 20 min, 2 d 4 h. Two units at most, largest first.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) {
    return NO_VALUE
  }
  const sign = seconds < 0 ? '−' : ''
  const s = Math.abs(seconds)
  // Each unit is chosen after rounding, so 0.9996 s reads "1.0 s" (not "1000 ms") and 59.5 s "1 min" (not "60 s").
  const ms = Math.round(s * 1000)
  if (ms < 1000) {
    return `${sign}${ms} ms`
  }
  const tenths = Math.round(s * 10) / 10
  if (tenths < 10) {
    return `${sign}${tenths.toFixed(1)} s`
  }
  const total = Math.round(s)
  if (total < 60) {
    return `${sign}${total} s`
  }
  const days = Math.floor(total / 86_400)
  const hours = Math.floor((total % 86_400) / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const secs = total % 60
  const parts =
    days > 0 ? [[days, 'd'], [hours, 'h']] : hours > 0 ? [[hours, 'h'], [minutes, 'min']] : [[minutes, 'min'], [secs, 's']]
  const [first, second] = parts as [[number, string], [number, string]]
  return sign + (second[0] > 0 ? `${first[0]} ${first[1]} ${second[0]} ${second[1]}` : `${first[0]} ${first[1]}`)
}

/** A time span in days, e.g. a lifespan: 12.3 d. */
export function formatDays(days: number | null | undefined, decimals = 1): string {
  return isNumber(days) ? `${days.toFixed(decimals)} d` : NO_VALUE
}

/** How long ago an instant was, relative to `now` (ms since epoch): "just now", "42 s ago", "3 h 20 min ago". */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) {
    return 'never'
  }
  const at = Date.parse(iso)
  if (Number.isNaN(at)) {
    return NO_VALUE
  }
  const seconds = (now - at) / 1000
  if (seconds < 5) {
    return 'just now'
  }
  return `${formatDuration(Math.floor(seconds))} ago`
}

function pad(value: number, length = 2): string {
  return String(value).padStart(length, '0')
}

/** Local date and time, unambiguous and sortable: 2026-11-28 10:00:05. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) {
    return NO_VALUE
  }
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) {
    return NO_VALUE
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** Local time of day: 10:00:05. */
export function formatClock(iso: string | null | undefined): string {
  const text = formatDateTime(iso)
  return text === NO_VALUE ? text : text.slice(11)
}

/** Seconds in a .NET TimeSpan string ("00:10:00", "1.02:03:04.5"), or null when it is not one. */
export function parseTimeSpan(value: string | null | undefined): number | null {
  const match = /^(-)?(?:(\d+)\.)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value ?? '')
  if (!match) {
    return null
  }
  const [, minus, days, hours, minutes, seconds] = match
  const total = Number(days ?? 0) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)
  return minus ? -total : total
}
