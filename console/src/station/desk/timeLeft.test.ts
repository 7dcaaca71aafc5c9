import { describe, expect, it } from 'vitest'
import { reviewDueAt, reviewMinutesLeft, timeLeftWords, urgencyOf, urgencyTag } from './timeLeft'

describe('review time left', () => {
  const created = '2026-12-07T01:00:00+00:00'

  it('is due 24 hours after submission', () => {
    expect(reviewDueAt(created).toISOString()).toBe('2026-12-08T01:00:00.000Z')
  })

  it('counts the minutes left, negative when overdue', () => {
    expect(reviewMinutesLeft(created, new Date('2026-12-07T22:50:00Z'))).toBe(130)
    expect(reviewMinutesLeft(created, new Date('2026-12-08T01:35:00Z'))).toBe(-35)
  })

  it('colours by what is left', () => {
    expect(urgencyOf(20 * 60)).toBe('ok')
    expect(urgencyOf(3 * 60)).toBe('soon')
    expect(urgencyOf(119)).toBe('urgent')
    expect(urgencyOf(0)).toBe('overdue')
    expect(urgencyTag('soon')).toBe('warning')
    expect(urgencyTag('overdue')).toBe('danger')
  })

  it('says it in words', () => {
    expect(timeLeftWords(130, 'zh-CN')).toBe('剩余 2 小时 10 分钟')
    expect(timeLeftWords(-35, 'zh-CN')).toBe('已超时 35 分钟')
    expect(timeLeftWords(130, 'en')).toBe('2 h 10 min left')
    expect(timeLeftWords(0, 'en')).toBe('Overdue by 0 min')
  })
})
