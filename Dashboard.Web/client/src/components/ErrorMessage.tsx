import { ApiError, describeError } from '../lib/api'

/** A failure as the server explained it (problem detail and, for validation problems, each field's messages). */
export function ErrorMessage({ error, testId = 'error-message' }: { error: unknown; testId?: string }) {
  if (!error) {
    return null
  }
  const fields = error instanceof ApiError ? Object.entries(error.problem?.errors ?? {}) : []
  const title = error instanceof ApiError ? error.problem?.title : undefined
  const text = describeError(error)
  return (
    <div className="error" role="alert" data-testid={testId}>
      {title && title !== text ? <strong>{title}. </strong> : null}
      {text}
      {fields.length > 0 ? (
        <ul>
          {fields.flatMap(([field, messages]) => messages.map((message, i) => <li key={`${field}-${i}`}>{field}: {message}</li>))}
        </ul>
      ) : null}
    </div>
  )
}
