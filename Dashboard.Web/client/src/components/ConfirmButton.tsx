import { useState } from 'react'
import { ConfirmDialog } from './ConfirmDialog'
import { ErrorMessage } from './ErrorMessage'

interface ConfirmButtonProps {
  label: string
  title: string
  confirmLabel?: string
  children: React.ReactNode
  onConfirm: () => Promise<unknown>
  testId?: string
  /** Accessible name when `label` alone is ambiguous in a list ("Delete" → "Delete alice"). */
  ariaLabel?: string
}

/** A destructive action behind a confirmation; shows the server's problem if it fails. */
export function ConfirmButton({ label, title, confirmLabel, children, onConfirm, testId, ariaLabel }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  return (
    <>
      <button type="button" className="danger" onClick={() => { setError(null); setOpen(true) }} data-testid={testId} aria-label={ariaLabel}>
        {label}
      </button>
      <ConfirmDialog open={open} title={title} confirmLabel={confirmLabel ?? label} danger busy={busy} onCancel={() => setOpen(false)}
        onConfirm={async () => {
          setBusy(true)
          try {
            await onConfirm()
            setOpen(false)
          } catch (failure) {
            setError(failure)
            setOpen(false)
          } finally {
            setBusy(false)
          }
        }}>
        {children}
      </ConfirmDialog>
      <ErrorMessage error={error} />
    </>
  )
}
