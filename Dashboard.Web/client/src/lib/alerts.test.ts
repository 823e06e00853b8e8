import { describe, expect, it } from 'vitest'
import {
  channelNames, channelRequest, deliveriesUrl, describeEvents, describeGroupWindow, describeSelector, kindLabel, lastAttemptFailed,
  ruleRequest, splitRecipients, toggled, type RuleForm,
} from './alerts'

describe('splitRecipients', () => {
  it('reads addresses one per line or comma-separated, each once', () => {
    expect(splitRecipients(' ops@example.com, oncall@example.com\r\n\nboss@example.com;ops@example.com ,')).toEqual([
      'ops@example.com', 'oncall@example.com', 'boss@example.com',
    ])
    expect(splitRecipients('  \n ')).toEqual([])
  })
})

describe('channelRequest', () => {
  const form = { name: ' ops ', kind: 'email' as const, url: 'https://hooks.slack.com/services/T/B/x', recipients: 'a@example.com\nb@example.com' }

  it('sends the recipients of an email channel, not its URL', () => {
    expect(channelRequest(form)).toEqual({ name: 'ops', kind: 'email', recipients: ['a@example.com', 'b@example.com'] })
  })

  it('sends the URL of a chat channel, not its recipients', () => {
    expect(channelRequest({ ...form, kind: 'slack', url: ' https://hooks.slack.com/services/T/B/x ' })).toEqual({
      name: 'ops', kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x',
    })
    expect(channelRequest({ ...form, kind: 'teams' })).not.toHaveProperty('recipients')
  })
})

describe('ruleRequest', () => {
  const channels = [{ id: 1 }, { id: 2 }, { id: 3 }]
  const form: RuleForm = { name: ' north down ', events: ['at-risk', 'down'], labels: 'site=north\n\nfloor: 3', channelIds: [3, 1], groupWindowSeconds: '60' }

  it('builds the body in a fixed order', () => {
    expect(ruleRequest(form, channels)).toEqual({
      request: { name: 'north down', events: ['down', 'at-risk'], labels: { site: 'north', floor: '3' }, channelIds: [1, 3], groupWindowSeconds: 60 },
      errors: {},
    })
  })

  it('sends no events and no labels for every change of every sensor', () => {
    const { request } = ruleRequest({ ...form, events: [], labels: '  ' }, channels)
    expect(request.events).toEqual([])
    expect(request.labels).toEqual({})
  })

  it('leaves out channels no longer listed', () => {
    expect(ruleRequest({ ...form, channelIds: [2, 9] }, channels).request.channelIds).toEqual([2])
  })

  it('names bad labels and group windows by field', () => {
    const { errors } = ruleRequest({ ...form, labels: 'site=north\nnoseparator', groupWindowSeconds: '1.5' }, channels)
    expect(errors.labels).toEqual([expect.stringMatching(/^Line 2:/)])
    expect(errors.groupWindowSeconds).toHaveLength(1)
    expect(ruleRequest({ ...form, groupWindowSeconds: '' }, channels).errors.groupWindowSeconds).toHaveLength(1)
    expect(ruleRequest({ ...form, groupWindowSeconds: '0' }, channels).errors).toEqual({})
  })
})

describe('toggled', () => {
  it('adds an item once, or removes it', () => {
    expect(toggled(['down'], 'up', true)).toEqual(['down', 'up'])
    expect(toggled(['down'], 'down', true)).toEqual(['down'])
    expect(toggled([1, 2], 1, false)).toEqual([2])
  })
})

describe('describing channels and rules', () => {
  it('names the kinds of channel', () => {
    expect(kindLabel('teams')).toBe('Microsoft Teams')
    expect(kindLabel('email')).toBe('Email')
    expect(kindLabel('pager')).toBe('pager')
  })

  it('says when a rule takes every event or every sensor', () => {
    expect(describeEvents([])).toBe('every state change')
    expect(describeEvents(['down', 'at-risk'])).toBe('down, at-risk')
    expect(describeSelector({})).toBe('all sensors')
    expect(describeSelector({ zone: 'b', site: 'a' })).toBe('site=a, zone=b')
  })

  it('names the channels, or their ids when no longer listed', () => {
    expect(channelNames([2, 7], [{ id: 1, name: 'mail' }, { id: 2, name: 'slack-ops' }])).toBe('slack-ops, #7')
    expect(channelNames([], [])).toBe('')
  })

  it('writes the group window as a duration', () => {
    expect(describeGroupWindow(60)).toBe('1 min')
    expect(describeGroupWindow(90)).toBe('1 min 30 s')
    expect(describeGroupWindow(0)).toBe('none')
  })
})

describe('lastAttemptFailed', () => {
  const at = '2026-03-01T10:00:00Z'
  it('is true only for an error with no success since', () => {
    expect(lastAttemptFailed({ lastAttemptAt: null, lastSuccessAt: null, lastError: null })).toBe(false)
    expect(lastAttemptFailed({ lastAttemptAt: at, lastSuccessAt: null, lastError: 'HTTP 404' })).toBe(true)
    expect(lastAttemptFailed({ lastAttemptAt: at, lastSuccessAt: '2026-03-01T09:00:00Z', lastError: 'timeout' })).toBe(true)
    expect(lastAttemptFailed({ lastAttemptAt: at, lastSuccessAt: at, lastError: 'an older failure' })).toBe(false)
    expect(lastAttemptFailed({ lastAttemptAt: at, lastSuccessAt: at, lastError: null })).toBe(false)
  })
})

describe('deliveriesUrl', () => {
  it('asks for failures only when told to', () => {
    expect(deliveriesUrl(false)).toBe('/api/alerts/deliveries?limit=50')
    expect(deliveriesUrl(true, 10)).toBe('/api/alerts/deliveries?failed=true&limit=10')
  })
})
