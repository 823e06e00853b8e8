import { useRef, useState } from 'react'

async function copyText(text: string, fallback: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // No clipboard API (plain http on another host): select the text so Ctrl+C works.
    if (fallback) {
      const range = document.createRange()
      range.selectNodeContents(fallback)
      const selection = window.getSelection()
      selection?.removeAllRanges()
      selection?.addRange(range)
    }
    return false
  }
}

interface SecretRevealProps {
  /** "key", "token", "secret" */
  kind: string
  value: string
  children?: React.ReactNode
}

/** A credential the server shows once: displayed as text, with a copy button and a warning. */
export function SecretReveal({ kind, value, children }: SecretRevealProps) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null)
  const code = useRef<HTMLElement>(null)
  return (
    <section className="secret" aria-label={`New ${kind}`} data-testid="secret">
      <p>
        <strong>Copy this {kind} now:</strong> it is shown once and cannot be shown again.
      </p>
      {children}
      <div className="secret-row">
        <code ref={code} data-testid="secret-value">{value}</code>
        <button type="button" data-testid="secret-copy" onClick={async () => setCopied((await copyText(value, code.current)) ? 'yes' : 'select')}>
          Copy
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'select' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </p>
    </section>
  )
}
