import { describe, expect, it } from 'vitest'
import { nextRow, shouldLoadMore, visibleRange } from './windowing'

describe('visibleRange', () => {
  it('renders only the rows in view plus the overscan', () => {
    // 100,000 rows of 36 px, a 720 px viewport scrolled to row 50,000
    expect(visibleRange(50_000 * 36, 720, 36, 100_000, 10)).toEqual({ start: 49_990, end: 50_031 })
  })

  it('clamps at both ends', () => {
    expect(visibleRange(0, 720, 36, 100_000, 10)).toEqual({ start: 0, end: 31 })
    expect(visibleRange(10_000_000, 720, 36, 100, 10)).toEqual({ start: 89, end: 100 })
    expect(visibleRange(0, 720, 36, 5, 10)).toEqual({ start: 0, end: 5 })
    expect(visibleRange(0, 720, 36, 0, 10)).toEqual({ start: 0, end: 0 })
  })

  it('keeps the rendered count small however long the list', () => {
    const { start, end } = visibleRange(1_234_567, 1000, 36, 100_000)
    expect(end - start).toBeLessThan(60)
  })
})

describe('shouldLoadMore', () => {
  it('asks for the next page near the end of what is loaded', () => {
    expect(shouldLoadMore({ start: 700, end: 820 }, 1000, true, false)).toBe(true)
    expect(shouldLoadMore({ start: 0, end: 40 }, 1000, true, false)).toBe(false)
  })

  it('not while a page is loading or when there is none', () => {
    expect(shouldLoadMore({ start: 950, end: 1000 }, 1000, true, true)).toBe(false)
    expect(shouldLoadMore({ start: 950, end: 1000 }, 1000, false, false)).toBe(false)
  })
})

describe('nextRow', () => {
  it('moves by keys and stays in the list', () => {
    expect(nextRow(5, 'ArrowDown', 10, 4)).toBe(6)
    expect(nextRow(0, 'ArrowUp', 10, 4)).toBe(0)
    expect(nextRow(5, 'PageDown', 10, 4)).toBe(9)
    expect(nextRow(5, 'End', 10, 4)).toBe(9)
    expect(nextRow(5, 'Home', 10, 4)).toBe(0)
    expect(nextRow(5, 'Enter', 10, 4)).toBeNull()
  })
})
