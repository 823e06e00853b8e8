import { useEffect, useId, useRef } from 'react'

interface ConfirmDialogProps {
  open: boolean
  title: string
  children: React.ReactNode
  confirmLabel: string
  danger?: boolean
  busy?: boolean
  /** e.g. until a required field is filled in */
  confirmDisabled?: boolean
  onConfirm: () => void
  onCancel: () => void
}

/**
 * A modal question on the native <dialog> (focus stays inside, Escape cancels). Mounted only while open, so a page
 * has at most one `confirm-dialog`; focus returns to whatever opened it.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  return props.open ? <OpenDialog {...props} /> : null
}

function OpenDialog({ title, children, confirmLabel, danger, busy, confirmDisabled, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const element = dialog.current
    if (element && !element.open) {
      element.showModal()
    }
    return () => {
      if (element?.open) element.close()
      if (opener?.isConnected) opener.focus()
    }
  }, [])

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} data-testid="confirm-dialog"
      onCancel={event => { event.preventDefault(); onCancel() }}>
      <h2 id={titleId}>{title}</h2>
      <div>{children}</div>
      <div className="actions">
        <button type="button" onClick={onCancel} data-testid="confirm-cancel">Cancel</button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy || confirmDisabled} data-testid="confirm-ok">
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  )
}
