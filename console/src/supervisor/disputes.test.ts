import { describe, expect, it } from 'vitest'
import { decisionBody, decisionProblems } from './disputes'

describe('dispute decisions', () => {
  it('needs a reason, and minutes for an adjustment', () => {
    expect(decisionProblems({ outcome: 'upheld', reason: ' ', minutes: null })).toEqual(['reasonRequired'])
    expect(decisionProblems({ outcome: 'minutes_adjusted', reason: 'ok', minutes: null })).toEqual(['minutesRequired'])
    expect(decisionProblems({ outcome: 'minutes_adjusted', reason: 'ok', minutes: 45 })).toEqual([])
  })
  it('sends minutes only for an adjustment', () => {
    expect(decisionBody({ outcome: 'voided', reason: ' wrong ', minutes: 30 })).toEqual({ outcome: 'voided', reason: 'wrong', minutes: null })
    expect(decisionBody({ outcome: 'minutes_adjusted', reason: 'r', minutes: 30 }).minutes).toBe(30)
  })
})
