import { useSyncExternalStore } from 'react'

/** A value that React components read with useStore and that anything can update. */
export class Store<T> {
  private value: T
  private readonly listeners = new Set<() => void>()

  constructor(initial: T) {
    this.value = initial
  }

  get = (): T => this.value

  set(next: T | ((current: T) => T)): void {
    const value = typeof next === 'function' ? (next as (current: T) => T)(this.value) : next
    if (!Object.is(value, this.value)) {
      this.value = value
      this.listeners.forEach(listener => listener())
    }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

/** The store's value, or a part of it (the selector must return a value that is stable while unchanged). */
export function useStore<T, S = T>(store: Store<T>, selector: (value: T) => S = value => value as unknown as S): S {
  return useSyncExternalStore(store.subscribe, () => selector(store.get()))
}
