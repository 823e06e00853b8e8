import { describe, expect, it } from 'vitest'
import {
  formatAgo, formatClock, formatCount, formatDateTime, formatDays, formatDuration, formatPercent, parseTimeSpan, tileNumber,
} from './format'

describe('tileNumber', () => {
  it('gives the bare number a test can parse: no separators, no unit', () => {
    expect(tileNumber(1234567)).toBe('1234567')
    expect(tileNumber(12.345, 2)).toBe('12.35')
    expect(tileNumber(4.2, 1)).toBe('4.2')
    expect(Number(tileNumber(98765.4321, 1))).toBe(98765.4)
  })

  it('rounds counts to whole numbers', () => {
    expect(tileNumber(41.6)).toBe('42')
  })

  it('shows a dash for unknown values', () => {
    expect(tileNumber(null)).toBe('—')
    expect(tileNumber(undefined, 1)).toBe('—')
    expect(tileNumber(Number.NaN)).toBe('—')
  })
})

describe('formatCount and formatPercent', () => {
  it('groups thousands for people', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(0)).toBe('0')
    expect(formatCount(null)).toBe('—')
  })

  it('writes percentages with their sign', () => {
    expect(formatPercent(12.345)).toBe('12.3 %')
    expect(formatPercent(99.9876, 2)).toBe('99.99 %')
    expect(formatPercent(null)).toBe('—')
  })
})

describe('formatDuration', () => {
  it.each([
    [0.35, '350 ms'],
    [0.9996, '1.0 s'],
    [9.97, '10 s'],
    [59.5, '1 min'],
    [4.84, '4.8 s'],
    [42.4, '42 s'],
    [60, '1 min'],
    [725, '12 min 5 s'],
    [3600, '1 h'],
    [12_000, '3 h 20 min'],
    [86_400 * 2 + 3600 * 4 + 59, '2 d 4 h'],
    [-90, '−1 min 30 s'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text)
  })

  it('shows a dash when unknown', () => {
    expect(formatDuration(null)).toBe('—')
  })

  it('writes days with one decimal', () => {
    expect(formatDays(12.345)).toBe('12.3 d')
    expect(formatDays(null)).toBe('—')
  })
})

describe('formatAgo', () => {
  const now = Date.parse('2026-11-28T10:00:00Z')

  it('counts back from now', () => {
    expect(formatAgo('2026-11-28T09:59:18Z', now)).toBe('42 s ago')
    expect(formatAgo('2026-11-28T06:40:00Z', now)).toBe('3 h 20 min ago')
    expect(formatAgo('2026-11-28T09:59:58Z', now)).toBe('just now')
  })

  it('says never for a sensor never heard', () => {
    expect(formatAgo(null, now)).toBe('never')
  })

  it('treats a clock a little ahead as just now', () => {
    expect(formatAgo('2026-11-28T10:00:03Z', now)).toBe('just now')
  })
})

describe('formatDateTime', () => {
  it('writes local time as YYYY-MM-DD HH:MM:SS', () => {
    const iso = '2026-11-28T10:00:05Z'
    const d = new Date(iso)
    const text = formatDateTime(iso)
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expect(text.slice(11)).toBe(
      `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:05`)
    expect(formatClock(iso)).toBe(text.slice(11))
    expect(formatDateTime('not a time')).toBe('—')
  })
})

describe('parseTimeSpan', () => {
  it('reads .NET TimeSpan strings', () => {
    expect(parseTimeSpan('00:10:00')).toBe(600)
    expect(parseTimeSpan('1.02:03:04.5')).toBe(86_400 + 7384.5)
    expect(parseTimeSpan('-00:00:30')).toBe(-30)
  })

  it('refuses anything else', () => {
    expect(parseTimeSpan('10 minutes')).toBeNull()
    expect(parseTimeSpan(null)).toBeNull()
  })
})
