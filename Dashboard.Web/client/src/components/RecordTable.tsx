import type { ReactNode } from 'react'

interface RecordTableProps<T> {
  testId: string
  columns: string[]
  records: T[] | undefined
  row: (record: T) => ReactNode
  /** The id of the heading that names the table. */
  labelledBy?: string
  /** Whether the last column holds a row's actions; default true. */
  actions?: boolean
}

/** An admin section's records, one row each; the actions column's heading is for screen readers only. */
export function RecordTable<T>({ testId, columns, records, row, labelledBy, actions = true }: RecordTableProps<T>) {
  return (
    <div className="table-scroll">
      <table className="table" data-testid={testId} aria-labelledby={labelledBy}>
        <thead>
          <tr>
            {columns.map(column => <th key={column} scope="col">{column}</th>)}
            {actions ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
          </tr>
        </thead>
        <tbody>{(records ?? []).map(record => row(record))}</tbody>
      </table>
    </div>
  )
}
