interface TileProps {
  label: string
  /** The number as text (tileNumber): this element's whole text content, for people and tests alike. */
  value: string
  unit?: string
  hint?: React.ReactNode
  testId: string
  tone?: 'new' | 'up' | 'late' | 'down' | 'retired'
}

export function Tile({ label, value, unit, hint, testId, tone }: TileProps) {
  return (
    <div className={`tile${tone ? ` tile-${tone}` : ''}`}>
      <span className="tile-label" id={`${testId}-label`}>{label}</span>
      <span className="tile-value">
        <span data-testid={testId}>{value}</span>
        {unit ? <span className="tile-unit"> {unit}</span> : null}
      </span>
      {hint ? <span className="tile-hint">{hint}</span> : null}
    </div>
  )
}
