import { describe, expect, it } from 'vitest'
import { matchPath, safeNext, withQuery } from './router'

describe('matchPath', () => {
  it('matches literal paths and captures parameters', () => {
    expect(matchPath('/', '/')).toEqual({})
    expect(matchPath('/sensors', '/sensors/')).toEqual({})
    expect(matchPath('/sensors/:id', '/sensors/42')).toEqual({ id: '42' })
    expect(matchPath('/admin/:section', '/admin/api%20tokens')).toEqual({ section: 'api tokens' })
  })

  it('rejects other paths', () => {
    expect(matchPath('/sensors/:id', '/sensors')).toBeNull()
    expect(matchPath('/sensors/:id', '/sensors/42/extra')).toBeNull()
    expect(matchPath('/sensors', '/register')).toBeNull()
    expect(matchPath('/', '/sensors')).toBeNull()
  })
})

describe('withQuery and safeNext', () => {
  it('leaves out empty values', () => {
    expect(withQuery('/sensors', { state: 'down,late', tag: '', label: null })).toBe('/sensors?state=down%2Clate')
    expect(withQuery('/sensors', {})).toBe('/sensors')
  })

  it('only returns to local paths after sign-in', () => {
    expect(safeNext('/sensors/5')).toBe('/sensors/5')
    expect(safeNext('//evil.example')).toBe('/')
    expect(safeNext('https://evil.example')).toBe('/')
    expect(safeNext('/\\evil.example')).toBe('/')
    expect(safeNext('/login?next=/x')).toBe('/')
    expect(safeNext(null)).toBe('/')
  })
})
