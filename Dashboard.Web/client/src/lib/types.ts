// Shapes of the gateway's API and WebSocket frames (docs: /work/notes/gateway-contract.md, Monitor.Worker/Apis).
// Times are ISO-8601 strings as the server sends them; durations are seconds unless the name says otherwise.

export const SENSOR_STATES = ['new', 'up', 'late', 'down', 'retired'] as const
export type SensorState = (typeof SENSOR_STATES)[number]

export const ROLES = ['Viewer', 'Operator', 'Admin'] as const
export type Role = (typeof ROLES)[number]

export interface CurrentUser {
  username: string
  role: Role
}

/** RFC 9457 problem details; `errors` on validation problems (field or "line N" → messages). */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: Record<string, string[]>
}

/** What every view of a sensor carries (the columns of the sensor_status view): who it is, its state, its heartbeats. */
export interface SensorStatus {
  id: number
  tag: string
  labels: Record<string, string>
  state: SensorState
  stateSince: string
  createdAt: string
  retiredAt: string | null
  firstHeartbeatAt: string | null
  lastHeartbeatAt: string | null
  lastReceivedAt: string | null
  heartbeatCount: number
}

export interface SensorListItem extends SensorStatus {
  meanIntervalSeconds: number | null
}

export interface SensorPage {
  items: SensorListItem[]
  next: string | null
}

export interface HeartbeatItem {
  sensorTime: string
  receivedAt: string
}

export interface FlipItem {
  from: SensorState
  to: SensorState
  at: string
}

/** Why a sensor was retired; only 'failed' (or none) counts as a failure in survival and prediction. */
export type RetirementReason = 'failed' | 'replaced-preventively' | 'decommissioned'

export const RETIREMENT_REASONS: readonly { value: RetirementReason; label: string }[] = [
  { value: 'failed', label: 'Failed' },
  { value: 'replaced-preventively', label: 'Replaced preventively (still working)' },
  { value: 'decommissioned', label: 'Decommissioned (no longer needed)' },
]

export interface SensorDetail extends SensorStatus {
  retirementReason: RetirementReason | null
  replacedBy: number | null
  timings: {
    expectedIntervalSeconds: number
    graceSeconds: number
    staleAfterSeconds: number
    expectedIntervalIsDefault: boolean
    graceIsDefault: boolean
    staleAfterIsDefault: boolean
    lateAt: string | null
    downAt: string | null
  }
  intervals: {
    meanSeconds: number | null
    p50Seconds: number | null
    p95Seconds: number | null
    windowHours: number
    samples: number
  }
  uptime: { last24Hours: number | null; last7Days: number | null; last30Days: number | null }
  recentHeartbeats: HeartbeatItem[]
  flips: FlipItem[]
}

export interface SensorKeyResponse {
  id: number
  tag: string
  key: string
}

export interface ReplacementResponse extends SensorKeyResponse {
  replaces: number
}

export interface RegisterSensorRequest {
  tag: string
  labels: Record<string, string>
  expectedIntervalSeconds?: number
  graceSeconds?: number
  staleAfterSeconds?: number
}

export interface KaplanMeierSummary {
  medianDays: number | null
  restrictedMeanDays: number
  horizonDays: number
  lives: number
  ended: number
}

/** How many sensors are in each state, and in all: what the stats, the live snapshots and the chart's points count. */
export interface StateCounts extends Record<SensorState, number> {
  total: number
}

export interface FleetStats extends StateCounts {
  at: string
  stale: number
  staleThresholdSeconds: number
  percentStale: number
  meanIntervalSeconds: number | null
  meanLifespanDays: number | null
  heartbeatsPerSecond: number | null
  kaplanMeier: KaplanMeierSummary
  /** How far storing is behind the accepted heartbeats (null: unknown, or no snapshot yet). */
  lagSeconds: number | null
  behind: boolean
}

// Predictive maintenance (Monitor.Worker: /api/maintenance/*, /api/sensors/{id}/risk). Risks are probabilities 0–1.

export interface RiskModel {
  kind: 'prior' | 'fitted'
  fittedAt: string | null
  /** Training examples the model was fitted on, and how many of them ended in a failure. */
  examples: number
  failures: number
}

export interface RiskItem {
  sensorId: number
  tag: string
  labels: Record<string, string>
  state: SensorState
  risk7d: number
  risk30d: number
  /** The middle half of the predicted time to failure. */
  windowStart: string
  windowEnd: string
  atRiskSince: string | null
  scoredAt: string
  lastHeartbeatAt: string | null
  reasons: string[]
}

export interface MaintenanceQueue {
  at: string
  threshold: number
  /** null until the worker's first scoring pass. */
  model: RiskModel | null
  /** Every sensor at or above minRisk; `items` is the first `limit` of them. */
  total: number
  items: RiskItem[]
}

export interface RiskContribution {
  feature: string
  value: number | null
  /** How much this input raised (or lowered) the 7-day risk's log-odds. */
  logOdds: number
}

export interface SensorRisk extends RiskItem {
  threshold: number
  features: Record<string, unknown>
  contributions: RiskContribution[]
}

// WebSocket frames (server → client): {"type": T, "data": {...}}

export interface Snapshot extends StateCounts {
  at: string
  percentStale: number
  meanIntervalSeconds: number | null
  meanLifespanDays: number | null
  heartbeatsPerSecond: number | null
  /** How far storing is behind the accepted heartbeats; null when heartbeats wait and none is stored yet. */
  lagSeconds?: number | null
  /** While true, sensors whose heartbeats wait unread are not marked late or down. */
  behind?: boolean
}

export interface Hello {
  instance: string
  username: string
  role: Role
  serverTime: string
}

export interface StateChanged {
  sensorId: number
  tag: string
  from: SensorState
  to: SensorState
  at: string
  lastHeartbeatAt: string | null
}

export interface StaleReport {
  at: string
  /** A .NET TimeSpan string, e.g. "00:10:00". */
  threshold: string
  count: number
  sensorIds: number[]
}

export interface HeartbeatFrame {
  sensorId: number
  sensorTime: string
  receivedAt: string
}

export interface SensorAtRiskFrame {
  sensorId: number
  tag: string
  at: string
  risk7d: number
  risk30d: number
  windowStart: string
  windowEnd: string
  reasons: string[]
}

export type ServerMessage =
  | { type: 'hello'; data: Hello }
  | { type: 'snapshot'; data: Snapshot }
  | { type: 'stateChanged'; data: StateChanged }
  | { type: 'stale'; data: StaleReport }
  | { type: 'heartbeat'; data: HeartbeatFrame }
  | { type: 'sensorAtRisk'; data: SensorAtRiskFrame }
  | { type: 'subscribed'; data: { sensorId: number } }
  | { type: 'unsubscribed'; data: { sensorId: number } }
  | { type: 'error'; data: { detail: string } }

// Admin

export interface UserSummary {
  username: string
  role: Role
  lockedOutUntil: string | null
}

export interface ApiTokenSummary {
  id: number | string
  name: string
  role: Role
  createdBy: string
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
}

export interface ApiTokenCreated {
  id: number | string
  name: string
  role: Role
  createdAt: string
  expiresAt: string | null
  token: string
}

/** What a webhook or an alert rule can subscribe to: transitions to a state, or at-risk predictions. */
export const WEBHOOK_EVENTS = [...SENSOR_STATES, 'at-risk'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export interface WebhookSummary {
  id: number
  url: string
  events: WebhookEvent[]
  createdAt: string
  lastAttemptAt: string | null
  lastStatusCode: number | null
  lastError: string | null
  lastSuccessAt: string | null
  deliveriesSucceeded: number
  deliveriesFailed: number
}

export interface WebhookCreated {
  id: number
  url: string
  events: WebhookEvent[]
  secret: string
  createdAt: string
}

export interface CollectorKeySummary {
  id: number
  name: string
  selector: Record<string, string>
  createdAt: string
  revokedAt: string | null
}

export interface CollectorKeyCreated {
  id: number
  name: string
  selector: Record<string, string>
  key: string
}

// Alerts (/api/alerts/*): channels are where messages go, rules decide which events go to which channels.

export type AlertChannelKind = 'email' | 'slack' | 'teams'

export const ALERT_CHANNEL_KINDS: readonly { value: AlertChannelKind; label: string }[] = [
  { value: 'email', label: 'Email' },
  { value: 'slack', label: 'Slack' },
  { value: 'teams', label: 'Microsoft Teams' },
]

export interface AlertChannel {
  id: number
  name: string
  kind: AlertChannelKind
  /** Email: the recipients, comma-separated; chat: the URL with its secret path hidden. */
  target: string
  createdAt: string
  lastAttemptAt: string | null
  lastSuccessAt: string | null
  lastError: string | null
  deliveriesSucceeded: number
  deliveriesFailed: number
  /** Messages waiting to be sent. */
  pending: number
}

export interface AlertChannelRequest {
  name: string
  kind: AlertChannelKind
  /** Slack and Teams: the incoming-webhook URL. */
  url?: string
  /** Email: the addresses. */
  recipients?: string[]
}

export interface AlertRuleRequest {
  name: string
  /** None: every state change. */
  events: WebhookEvent[]
  /** A sensor matches when it has all these labels; none: every sensor. */
  labels: Record<string, string>
  channelIds: number[]
  /** Events that come within this many seconds are sent together, in one message. */
  groupWindowSeconds: number
}

export interface AlertRule extends AlertRuleRequest {
  id: number
  createdAt: string
}

export interface AlertDelivery {
  id: number
  channelId: number
  channelName: string
  kind: string
  at: string
  succeeded: boolean
  attempts: number
  /** How many events the message carried. */
  alerts: number
  subject: string
  error: string | null
}

/** One hour of a sensor's heartbeats (GET /api/sensors/{id}/hours); interval figures leave silences out. */
export interface HourItem {
  hour: string
  heartbeats: number
  meanIntervalSeconds: number | null
  longestGapSeconds: number | null
  silences: number
}

/** A sensor's cadence over a long range, from its hourly roll-ups. */
export interface SensorHours {
  sensorId: number
  from: string
  to: string
  heartbeats: number
  meanIntervalSeconds: number | null
  stdDevSeconds: number | null
  longestGapSeconds: number | null
  silences: number
  hours: HourItem[]
}
