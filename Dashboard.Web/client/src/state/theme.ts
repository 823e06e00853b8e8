// Light and dark: follow the system (prefers-color-scheme) unless the operator picks one; remembered per browser.

import { Store } from './store'

export type ThemePreference = 'system' | 'light' | 'dark'
export type Theme = 'light' | 'dark'

const KEY = 'sensors360.theme'
const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null

function readPreference(): ThemePreference {
  try {
    const value = localStorage.getItem(KEY)
    return value === 'light' || value === 'dark' ? value : 'system'
  } catch {
    return 'system'
  }
}

function resolve(preference: ThemePreference): Theme {
  return preference === 'system' ? (media?.matches ? 'dark' : 'light') : preference
}

export const themeStore = new Store<{ preference: ThemePreference; theme: Theme }>({
  preference: readPreference(),
  theme: resolve(readPreference()),
})

function apply(): void {
  const { preference } = themeStore.get()
  const root = document.documentElement
  // No attribute: the stylesheet follows prefers-color-scheme by itself.
  if (preference === 'system') {
    delete root.dataset.theme
  } else {
    root.dataset.theme = preference
  }
}

export function setThemePreference(preference: ThemePreference): void {
  try {
    if (preference === 'system') {
      localStorage.removeItem(KEY)
    } else {
      localStorage.setItem(KEY, preference)
    }
  } catch {
    // private mode: the choice lasts for this page only
  }
  themeStore.set({ preference, theme: resolve(preference) })
  apply()
}

/** Applies the remembered choice and follows system changes; call once at start-up. */
export function initTheme(): void {
  apply()
  media?.addEventListener('change', () => {
    const { preference } = themeStore.get()
    themeStore.set({ preference, theme: resolve(preference) })
  })
}
