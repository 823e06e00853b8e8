// RFC 4180 CSV: what the import endpoint answers (id,tag,key) and what the operator downloads.

import type { SensorKeyResponse } from './types'

/** Rows of fields. Quoted fields may hold commas, line breaks and doubled quotes; CRLF or LF ends a row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0 // byte-order mark
  for (; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else {
          quoted = false
        }
      } else {
        field += c
      }
    } else if (c === '"') {
      quoted = true
    } else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') {
        i++
      }
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else {
      field += c
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

function escapeField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** CSV text (CRLF line ends, fields quoted only when needed). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map(row => row.map(escapeField).join(',')).join('\r\n') + '\r\n'
}

/** The sensors and keys of an import's response: header id,tag,key (any order, any case). */
export function parseKeysCsv(text: string): SensorKeyResponse[] {
  const [header, ...rows] = parseCsv(text)
  if (!header) {
    return []
  }
  const names = header.map(name => name.trim().toLowerCase())
  const id = names.indexOf('id')
  const tag = names.indexOf('tag')
  const key = names.indexOf('key')
  if (id < 0 || tag < 0 || key < 0) {
    throw new Error(`The response has no id, tag and key columns (it has: ${header.join(', ')}).`)
  }
  return rows
    .filter(row => row.some(field => field !== ''))
    .map(row => ({ id: Number(row[id]), tag: row[tag] ?? '', key: row[key] ?? '' }))
}

/**
 * A text cell a spreadsheet would not run as a formula: one starting with = + - @, a tab or a carriage return gets a
 * leading apostrophe (OWASP's advice; the monitor writes its keys file the same way). For text columns only: a
 * negative number is data.
 */
export function formulaSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

/** Sensors and keys as a CSV file for download (tags and keys formula-safe, as the monitor's answer already is). */
export function keysToCsv(sensors: readonly SensorKeyResponse[]): string {
  return toCsv([['id', 'tag', 'key'], ...sensors.map(s => [String(s.id), formulaSafe(s.tag), formulaSafe(s.key)])])
}

/** "sensor-keys-2026-11-28T10-00-05.csv" (UTC, safe in every file system). */
export function keysFileName(now: Date): string {
  return `sensor-keys-${now.toISOString().slice(0, 19).replaceAll(':', '-')}.csv`
}

/**
 * The import's validation errors ("line 3" → messages, or "header"/"file") as sentences, in line order:
 * file and header problems first, then each line.
 */
export function importErrors(errors: Record<string, string[]> | undefined): string[] {
  if (!errors) {
    return []
  }
  const line = (key: string) => {
    const match = /^line (\d+)$/i.exec(key)
    return match ? Number(match[1]) : -1
  }
  return Object.keys(errors)
    .sort((a, b) => line(a) - line(b) || a.localeCompare(b))
    .flatMap(key => (errors[key] ?? []).map(message => `${key[0]?.toUpperCase()}${key.slice(1)}: ${message}`))
}
