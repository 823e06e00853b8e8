import { navigate } from '../lib/router'

type LinkProps = React.AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }

/** An ordinary link (open in new tab, copy address all work) that navigates without a page load. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  return (
    <a
      href={to}
      {...rest}
      onClick={event => {
        onClick?.(event)
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
          return
        }
        event.preventDefault()
        navigate(to)
      }}
    />
  )
}
