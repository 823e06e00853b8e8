import { describe, expect, it } from 'vitest'
import { formatLabels, labelFilterError, parseLabelLines } from './labels'

describe('parseLabelLines', () => {
  it('reads key=value and key: value lines, ignoring blanks', () => {
    expect(parseLabelLines('site=north\n\n  floor: 3 \nurl=http://x:80/a=b')).toEqual({
      labels: { site: 'north', floor: '3', url: 'http://x:80/a=b' },
      errors: [],
    })
  })

  it('reports bad keys, missing separators and duplicates by line', () => {
    const { errors } = parseLabelLines('-bad=1\nnoseparator\nsite=a\nsite=b')
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatch(/^Line 1: '-bad'/)
    expect(errors[1]).toMatch(/^Line 2:/)
    expect(errors[2]).toMatch(/^Line 4: 'site' is given twice/)
  })
})

describe('formatLabels and labelFilterError', () => {
  it('writes labels sorted by key', () => {
    expect(formatLabels({ zone: 'b', site: 'a' })).toBe('site=a, zone=b')
    expect(formatLabels(null)).toBe('')
  })

  it('accepts key:value filters only', () => {
    expect(labelFilterError('')).toBeNull()
    expect(labelFilterError('site:north')).toBeNull()
    expect(labelFilterError('site:')).toBeNull()
    expect(labelFilterError('site')).not.toBeNull()
    expect(labelFilterError(':north')).not.toBeNull()
  })
})
