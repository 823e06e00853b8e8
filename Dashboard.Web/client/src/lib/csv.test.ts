import { describe, expect, it } from 'vitest'
import { formulaSafe, importErrors, keysFileName, keysToCsv, parseCsv, parseKeysCsv, toCsv } from './csv'

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines"\r\n1,2,3,4\r\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\nlines'],
      ['1', '2', '3', '4'],
    ])
  })

  it('accepts LF line ends, a missing final line end, empty fields and a byte-order mark', () => {
    expect(parseCsv('\uFEFFid,tag\n1,\n2,x')).toEqual([['id', 'tag'], ['1', ''], ['2', 'x']])
  })
})

describe('toCsv', () => {
  it('quotes only fields that need it and round-trips', () => {
    const rows = [['id', 'tag'], ['1', 'plain'], ['2', 'has,comma'], ['3', 'has "quote"'], ['4', 'multi\nline']]
    const text = toCsv(rows)
    expect(text.split('\r\n')[1]).toBe('1,plain')
    expect(text).toContain('"has,comma"')
    expect(text).toContain('"has ""quote"""')
    expect(parseCsv(text)).toEqual(rows)
  })
})

describe('parseKeysCsv', () => {
  it('reads the import response (id, tag, key)', () => {
    const text = 'id,tag,key\r\n41,"Sensor, north",s360_abc\r\n42,Sensor 2,s360_def\r\n'
    expect(parseKeysCsv(text)).toEqual([
      { id: 41, tag: 'Sensor, north', key: 's360_abc' },
      { id: 42, tag: 'Sensor 2', key: 's360_def' },
    ])
  })

  it('finds the columns by name', () => {
    expect(parseKeysCsv('KEY,Tag,Id\nk1,t1,7\n')).toEqual([{ id: 7, tag: 't1', key: 'k1' }])
  })

  it('refuses a response without the key column', () => {
    expect(() => parseKeysCsv('id,tag\n1,x\n')).toThrow(/id, tag and key/)
  })

  it('survives a round trip through the download', () => {
    const sensors = [{ id: 1, tag: 'a "quoted", tag', key: 'k' }]
    expect(parseKeysCsv(keysToCsv(sensors))).toEqual(sensors)
  })

  it('writes tags a spreadsheet would run as formulas with a leading apostrophe, once', () => {
    const tags = ['=HYPERLINK("http://evil.example","x")', '@SUM(A1)', '+1', '-1+2', '\tcmd', '\rcmd']
    const csv = keysToCsv(tags.map((tag, i) => ({ id: i + 1, tag, key: 'k' })))
    expect(parseKeysCsv(csv).map(s => s.tag)).toEqual(tags.map(tag => `'${tag}`))
    // The monitor's answer is already safe: downloading it again adds nothing.
    expect(keysToCsv(parseKeysCsv(csv))).toBe(csv)
    expect(formulaSafe('north-1')).toBe('north-1')
    expect(formulaSafe("'=already")).toBe("'=already")
  })
})

describe('keysFileName and importErrors', () => {
  it('names the download by UTC time without colons', () => {
    expect(keysFileName(new Date('2026-11-28T10:00:05.123Z'))).toBe('sensor-keys-2026-11-28T10-00-05.csv')
  })

  it('lists file and header problems first, then lines in numeric order', () => {
    expect(importErrors({
      'line 10': ['tag: A tag is required.'],
      'line 2': ['expected 3 fields like the header, found 2.', 'second'],
      header: ['The header has no \'tag\' column.'],
    })).toEqual([
      'Header: The header has no \'tag\' column.',
      'Line 2: expected 3 fields like the header, found 2.',
      'Line 2: second',
      'Line 10: tag: A tag is required.',
    ])
    expect(importErrors(undefined)).toEqual([])
  })
})
