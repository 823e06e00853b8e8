// Labels are key → value pairs. Keys: 1-63 of A-Z a-z 0-9 _ . - / starting with a letter or digit (the worker's
// rule), so neither ':' nor '=' can be part of a key and either can separate key from value.

export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,62}$/

export interface ParsedLabels {
  labels: Record<string, string>
  errors: string[]
}

/** "key=value" or "key: value", one per line; blank lines ignored. */
export function parseLabelLines(text: string): ParsedLabels {
  const labels: Record<string, string> = {}
  const errors: string[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '') {
      return
    }
    const at = line.search(/[=:]/)
    if (at < 0) {
      errors.push(`Line ${index + 1}: write key=value.`)
      return
    }
    const key = line.slice(0, at).trim()
    const value = line.slice(at + 1).trim()
    if (!LABEL_KEY.test(key)) {
      errors.push(`Line ${index + 1}: '${key}' is not a label key (1-63 of A-Z a-z 0-9 _ . - /, starting with a letter or digit).`)
    } else if (key in labels) {
      errors.push(`Line ${index + 1}: '${key}' is given twice.`)
    } else {
      labels[key] = value
    }
  })
  return { labels, errors }
}

/** Labels as "key=value" text, sorted by key. */
export function formatLabels(labels: Record<string, string> | null | undefined, separator = ', '): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(separator)
}

/** Null when `filter` is a valid "key:value" list filter (or empty), else why not. */
export function labelFilterError(filter: string): string | null {
  if (filter.trim() === '') {
    return null
  }
  const at = filter.indexOf(':')
  return at > 0 && LABEL_KEY.test(filter.slice(0, at)) ? null : 'Give a label as key:value, e.g. site:north.'
}
