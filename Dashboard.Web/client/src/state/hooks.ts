import { useCallback, useEffect, useRef, useState } from 'react'

export interface AsyncState<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

/**
 * Runs `load` now and whenever `deps` (plain values: numbers, strings…) change; the previous run is aborted.
 * `data` keeps the last answer while a new one loads; `reload` runs it again.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [round, setRound] = useState(0)
  const key = `${JSON.stringify(deps)}#${round}`
  const [state, setState] = useState<{ key: string | null; data: T | undefined; error: unknown }>({ key: null, data: undefined, error: null })
  const loadRef = useRef(load)
  useEffect(() => {
    loadRef.current = load // effects run in order: this one before the load below
  })

  useEffect(() => {
    const controller = new AbortController()
    loadRef.current(controller.signal).then(
      data => !controller.signal.aborted && setState({ key, data, error: null }),
      error => !controller.signal.aborted && setState(s => ({ key, data: s.data, error })),
    )
    return () => controller.abort()
  }, [key])

  const reload = useCallback(() => setRound(r => r + 1), [])
  return { data: state.data, error: state.error, loading: state.key !== key, reload }
}

/** The current time, refreshed every `ms` (for "x min ago"). */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}

/** `value`, but only after it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return debounced
}

export interface Creation<T> {
  /** What the last submission created (shown once, e.g. a secret), null before or while retrying. */
  created: T | null
  error: unknown
  /** An onSubmit handler: runs `create`, then `after` (clear the fields, reload the list) when it succeeded. */
  submit: (create: () => Promise<T>, after: () => void) => (event: { preventDefault: () => void }) => Promise<void>
}

/** The state of a form that creates something on the server. */
export function useCreation<T>(): Creation<T> {
  const [created, setCreated] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const submit = (create: () => Promise<T>, after: () => void) => async (event: { preventDefault: () => void }) => {
    event.preventDefault()
    setError(null)
    setCreated(null)
    try {
      setCreated(await create())
      after()
    } catch (failure) {
      setError(failure)
    }
  }
  return { created, error, submit }
}
