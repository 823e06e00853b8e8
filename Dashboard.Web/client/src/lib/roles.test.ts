import { describe, expect, it } from 'vitest'
import { can, parseRole, parseUser, type Action } from './roles'

const everything: Action[] = ['register', 'import', 'edit', 'rotate', 'retire', 'replace', 'admin']

describe('can', () => {
  it('gives viewers no action at all', () => {
    for (const action of everything) {
      expect(can({ username: 'v', role: 'Viewer' }, action)).toBe(false)
    }
  })

  it('lets operators manage sensors but not administer', () => {
    const operator = { username: 'o', role: 'Operator' } as const
    expect(everything.filter(action => can(operator, action))).toEqual(['register', 'import', 'edit', 'rotate', 'retire', 'replace'])
    expect(can(operator, 'admin')).toBe(false)
  })

  it('lets admins do everything', () => {
    expect(everything.every(action => can({ username: 'a', role: 'Admin' }, action))).toBe(true)
  })

  it('lets nobody signed out do anything', () => {
    expect(can(null, 'register')).toBe(false)
    expect(can(undefined, 'admin')).toBe(false)
  })
})

describe('parseRole and parseUser', () => {
  it('accepts the three roles in any case', () => {
    expect(parseRole('admin')).toBe('Admin')
    expect(parseRole('OPERATOR')).toBe('Operator')
    expect(parseRole('Viewer')).toBe('Viewer')
  })

  it('turns unknown roles into no role', () => {
    expect(parseRole('Superuser')).toBeNull()
    expect(parseRole(3)).toBeNull()
    expect(parseUser({ username: 'x', role: 'root' })).toBeNull()
  })

  it('reads the user of /api/auth/me', () => {
    expect(parseUser({ username: 'alice', role: 'operator' })).toEqual({ username: 'alice', role: 'Operator' })
    expect(parseUser(null)).toBeNull()
  })
})
