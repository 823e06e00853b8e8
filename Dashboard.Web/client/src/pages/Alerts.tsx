import { useEffect, useState } from 'react'
import { ConfirmButton } from '../components/ConfirmButton'
import { ErrorMessage } from '../components/ErrorMessage'
import { RecordTable } from '../components/RecordTable'
import {
  DEFAULT_GROUP_WINDOW_SECONDS, DELIVERIES_LIMIT, channelNames, channelRequest, deliveriesUrl, describeEvents, describeGroupWindow,
  describeSelector, kindLabel, lastAttemptFailed, ruleRequest, toggled, type ChannelForm, type RuleForm,
} from '../lib/alerts'
import { formatCount, formatDateTime } from '../lib/format'
import { ALERT_CHANNEL_KINDS, WEBHOOK_EVENTS, type AlertChannel, type AlertChannelKind, type AlertDelivery, type AlertRule } from '../lib/types'
import { api } from '../state/app'
import { useAsync, useCreation, type AsyncState } from '../state/hooks'

/** Admin › Alerts: channels (where messages go), rules (which events go to which channels), what was sent lately. */
export function Alerts() {
  const channels = useAsync(signal => api.get<AlertChannel[]>('/api/alerts/channels', { signal }), [])
  const rules = useAsync(signal => api.get<AlertRule[]>('/api/alerts/rules', { signal }), [])
  const [failedOnly, setFailedOnly] = useState(false)
  const deliveries = useAsync(signal => api.get<AlertDelivery[]>(deliveriesUrl(failedOnly), { signal }), [failedOnly])
  const [tests, setTests] = useState(0)
  const { reload: reloadChannels } = channels
  const { reload: reloadDeliveries } = deliveries

  // The server answers a test with 202 before the message is out, so its outcome shows up a moment later: look again.
  useEffect(() => {
    if (tests === 0) return
    const timers = [1500, 5000].map(ms => setTimeout(() => { reloadChannels(); reloadDeliveries() }, ms))
    return () => timers.forEach(clearTimeout)
  }, [tests, reloadChannels, reloadDeliveries])

  return (
    <>
      <Channels channels={channels} onTested={() => { reloadChannels(); reloadDeliveries(); setTests(n => n + 1) }} />
      <Rules rules={rules} channels={channels.data ?? []} />
      <Deliveries deliveries={deliveries} failedOnly={failedOnly} onFailedOnly={setFailedOnly} />
    </>
  )
}

const NEW_CHANNEL: ChannelForm = { name: '', kind: 'email', url: '', recipients: '' }

function Channels({ channels, onTested }: { channels: AsyncState<AlertChannel[]>; onTested: () => void }) {
  const [form, setForm] = useState(NEW_CHANNEL)
  const { error, submit } = useCreation<AlertChannel>()
  const [testing, setTesting] = useState<number | null>(null)
  const [tested, setTested] = useState<string | null>(null)
  const [testError, setTestError] = useState<unknown>(null)
  const change = (fields: Partial<ChannelForm>) => setForm(current => ({ ...current, ...fields }))

  const sendTest = async (channel: AlertChannel) => {
    setTesting(channel.id)
    setTested(null)
    setTestError(null)
    try {
      await api.post(`/api/alerts/channels/${channel.id}/test`)
      setTested(channel.name)
      onTested()
    } catch (failure) {
      setTestError(failure)
    } finally {
      setTesting(null)
    }
  }

  return (
    <section className="card" aria-labelledby="alert-channels-title">
      <h2 id="alert-channels-title">Channels</h2>
      <p className="hint">Where alerts are sent: email recipients, or a Slack or Microsoft Teams incoming webhook.</p>
      <ErrorMessage error={channels.error ?? testError} />
      {tested ? (
        <p className="notice" role="status" data-testid="alert-channel-tested">
          A test message is on its way to {tested}; its outcome shows under Last attempt and in Recent deliveries.
        </p>
      ) : null}
      <RecordTable testId="alert-channels-table" labelledBy="alert-channels-title" records={channels.data}
        columns={['Name', 'Kind', 'Target', 'Last attempt', 'Succeeded / failed', 'Pending']} row={channel => {
          const failed = lastAttemptFailed(channel)
          return (
            <tr key={channel.id} className={failed ? 'failed' : undefined} data-testid={`alert-channel-row-${channel.id}`}>
              <th scope="row" id={`alert-channel-${channel.id}`}>{channel.name}</th>
              <td>{kindLabel(channel.kind)}</td>
              <td className="wrap">{channel.target}</td>
              <td>
                {channel.lastAttemptAt ? (
                  <>{formatDateTime(channel.lastAttemptAt)}: {failed
                    ? <span className="field-error">failed: {channel.lastError}</span>
                    : <Sent warning={channel.lastError} />}</>
                ) : 'none yet'}
              </td>
              <td>{formatCount(channel.deliveriesSucceeded)} / {formatCount(channel.deliveriesFailed)}</td>
              <td>{formatCount(channel.pending)}</td>
              <td className="row-actions">
                <button type="button" disabled={testing === channel.id} onClick={() => void sendTest(channel)}
                  aria-describedby={`alert-channel-${channel.id}`} data-testid={`alert-channel-test-${channel.id}`}>Send test</button>
                <ConfirmButton label="Delete" ariaLabel={`Delete the channel ${channel.name}`} title={`Delete the channel "${channel.name}"?`}
                  testId={`alert-channel-delete-${channel.id}`}
                  onConfirm={async () => { await api.delete(`/api/alerts/channels/${channel.id}`); channels.reload() }}>
                  <p>No more alerts go to <strong>{channel.target}</strong>. A channel that rules still send to cannot be deleted.</p>
                </ConfirmButton>
              </td>
            </tr>
          )
        }} />
      <form className="subform" data-testid="alert-channel-create-form" onSubmit={submit(
        () => api.post<AlertChannel>('/api/alerts/channels', channelRequest(form)),
        () => { setForm(current => ({ ...NEW_CHANNEL, kind: current.kind })); channels.reload() })}>
        <h3>Add a channel</h3>
        <div className="inline-fields">
          <div className="field">
            <label htmlFor="alert-channel-name">Channel name</label>
            <input id="alert-channel-name" required value={form.name} onChange={e => change({ name: e.target.value })} data-testid="alert-channel-create-name" />
          </div>
          <div className="field">
            <label htmlFor="alert-channel-kind">Kind</label>
            <select id="alert-channel-kind" value={form.kind} onChange={e => change({ kind: e.target.value as AlertChannelKind })} data-testid="alert-channel-create-kind">
              {ALERT_CHANNEL_KINDS.map(kind => <option key={kind.value} value={kind.value}>{kind.label}</option>)}
            </select>
          </div>
        </div>
        {form.kind === 'email' ? (
          <>
            <label htmlFor="alert-channel-recipients">Recipients</label>
            <textarea id="alert-channel-recipients" rows={3} required value={form.recipients} onChange={e => change({ recipients: e.target.value })}
              aria-describedby="alert-channel-recipients-help" data-testid="alert-channel-create-recipients" />
            <div id="alert-channel-recipients-help" className="hint">Email addresses, one per line or separated by commas.</div>
          </>
        ) : (
          <>
            <label htmlFor="alert-channel-url">Webhook URL</label>
            <input id="alert-channel-url" type="url" required value={form.url} onChange={e => change({ url: e.target.value })}
              placeholder={form.kind === 'slack' ? 'https://hooks.slack.com/services/…' : 'https://…'}
              aria-describedby="alert-channel-url-help" data-testid="alert-channel-create-url" />
            <div id="alert-channel-url-help" className="hint">
              The incoming-webhook URL from {kindLabel(form.kind)}. It works like a password: it is shown shortened from now on.
            </div>
          </>
        )}
        <ErrorMessage error={error} />
        <button type="submit" className="primary" data-testid="alert-channel-create-submit">Add channel</button>
      </form>
    </section>
  )
}

const NEW_RULE: RuleForm = { name: '', events: [], labels: '', channelIds: [], groupWindowSeconds: String(DEFAULT_GROUP_WINDOW_SECONDS) }

function Rules({ rules, channels }: { rules: AsyncState<AlertRule[]>; channels: AlertChannel[] }) {
  const [form, setForm] = useState(NEW_RULE)
  const { error, submit } = useCreation<AlertRule>()
  const { request, errors } = ruleRequest(form, channels)
  const invalid = Object.keys(errors).length > 0
  const change = (fields: Partial<RuleForm>) => setForm(current => ({ ...current, ...fields }))

  return (
    <section className="card" aria-labelledby="alert-rules-title">
      <h2 id="alert-rules-title">Rules</h2>
      <p className="hint">Each rule sends the events it takes, of the sensors it selects, to its channels.</p>
      <ErrorMessage error={rules.error} />
      <RecordTable testId="alert-rules-table" labelledBy="alert-rules-title" records={rules.data}
        columns={['Name', 'Events', 'Labels', 'Channels', 'Group window']} row={rule => (
          <tr key={rule.id} data-testid={`alert-rule-row-${rule.id}`}>
            <th scope="row">{rule.name}</th>
            <td>{describeEvents(rule.events)}</td>
            <td>{describeSelector(rule.labels)}</td>
            <td>{channelNames(rule.channelIds, channels)}</td>
            <td>{describeGroupWindow(rule.groupWindowSeconds)}</td>
            <td>
              <ConfirmButton label="Delete" ariaLabel={`Delete the rule ${rule.name}`} title={`Delete the rule "${rule.name}"?`}
                testId={`alert-rule-delete-${rule.id}`}
                onConfirm={async () => { await api.delete(`/api/alerts/rules/${rule.id}`); rules.reload() }}>
                <p>Its events are no longer sent.</p>
              </ConfirmButton>
            </td>
          </tr>
        )} />
      <form className="subform" data-testid="alert-rule-create-form" onSubmit={invalid ? event => event.preventDefault() : submit(
        () => api.post<AlertRule>('/api/alerts/rules', request),
        () => { setForm(NEW_RULE); rules.reload() })}>
        <h3>Add a rule</h3>
        <div className="inline-fields">
          <div className="field">
            <label htmlFor="alert-rule-name">Rule name</label>
            <input id="alert-rule-name" required value={form.name} onChange={e => change({ name: e.target.value })} data-testid="alert-rule-create-name" />
          </div>
          <div className="field">
            <label htmlFor="alert-rule-window">Group window (seconds)</label>
            <input id="alert-rule-window" type="number" min={0} step={1} required value={form.groupWindowSeconds}
              onChange={e => change({ groupWindowSeconds: e.target.value })} aria-invalid={errors.groupWindowSeconds ? true : undefined}
              aria-describedby="alert-rule-window-help" data-testid="alert-rule-create-window" />
            <div id="alert-rule-window-help" className={errors.groupWindowSeconds ? 'field-error' : 'hint'}>
              {errors.groupWindowSeconds?.join(' ') ?? 'Events this close together are sent in one message.'}
            </div>
          </div>
        </div>
        <fieldset>
          <legend>Events: changes to a state, or at-risk predictions (none ticked: every state change)</legend>
          {WEBHOOK_EVENTS.map(event => (
            <label key={event} className="check">
              <input type="checkbox" checked={form.events.includes(event)} data-testid={`alert-rule-create-event-${event}`}
                onChange={e => change({ events: toggled(form.events, event, e.target.checked) })} />
              {event}
            </label>
          ))}
        </fieldset>
        <label htmlFor="alert-rule-labels">Labels</label>
        <textarea id="alert-rule-labels" rows={2} value={form.labels} onChange={e => change({ labels: e.target.value })}
          aria-invalid={errors.labels ? true : undefined} aria-describedby="alert-rule-labels-help" data-testid="alert-rule-create-labels" />
        <div id="alert-rule-labels-help" className={errors.labels ? 'field-error' : 'hint'}>
          {errors.labels?.join(' ') ?? 'One key=value per line: a sensor matches when it has all of them. Empty: all sensors.'}
        </div>
        <fieldset>
          <legend>Send to</legend>
          {channels.length === 0 ? <p className="hint">Add a channel first.</p> : channels.map(channel => (
            <label key={channel.id} className="check">
              <input type="checkbox" checked={form.channelIds.includes(channel.id)} data-testid={`alert-rule-create-channel-${channel.id}`}
                onChange={e => change({ channelIds: toggled(form.channelIds, channel.id, e.target.checked) })} />
              {channel.name}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={invalid} data-testid="alert-rule-create-submit">Add rule</button>
      </form>
    </section>
  )
}

function Deliveries({ deliveries, failedOnly, onFailedOnly }: {
  deliveries: AsyncState<AlertDelivery[]>
  failedOnly: boolean
  onFailedOnly: (failedOnly: boolean) => void
}) {
  return (
    <section className="card" aria-labelledby="alert-deliveries-title">
      <h2 id="alert-deliveries-title">Recent deliveries</h2>
      <p className="hint">The latest {DELIVERIES_LIMIT} messages, newest first.</p>
      <div className="toolbar">
        <label className="check">
          <input type="checkbox" checked={failedOnly} onChange={e => onFailedOnly(e.target.checked)} data-testid="alert-deliveries-failed-only" />
          Failures only
        </label>
        <button type="button" onClick={deliveries.reload} data-testid="alert-deliveries-refresh">Refresh</button>
      </div>
      <ErrorMessage error={deliveries.error} />
      <RecordTable testId="alert-deliveries-table" labelledBy="alert-deliveries-title" actions={false} records={deliveries.data}
        columns={['When', 'Channel', 'Subject', 'Alerts', 'Attempts', 'Outcome']} row={delivery => (
          <tr key={delivery.id} className={delivery.succeeded ? undefined : 'failed'} data-testid={`alert-delivery-row-${delivery.id}`}
            data-succeeded={delivery.succeeded}>
            <td>{formatDateTime(delivery.at)}</td>
            <td>{delivery.channelName} <span className="muted">({kindLabel(delivery.kind)})</span></td>
            <td>{delivery.subject}</td>
            <td>{formatCount(delivery.alerts)}</td>
            <td>{formatCount(delivery.attempts)}</td>
            <td>{delivery.succeeded
              ? <Sent warning={delivery.error} />
              : <span className="field-error">failed{delivery.error ? `: ${delivery.error}` : ''}</span>}</td>
          </tr>
        )} />
      {deliveries.data?.length === 0 && !deliveries.loading ? (
        <p className="muted">{failedOnly ? 'No failed deliveries.' : 'Nothing sent yet.'}</p>
      ) : null}
    </section>
  )
}

/** "sent", with what did not go as asked (an email some recipients refused) when there was something. */
function Sent({ warning }: { warning: string | null }) {
  return warning ? <>sent, but <span className="field-error">{warning}</span></> : <>sent</>
}
