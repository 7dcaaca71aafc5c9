import { describe, expect, it } from 'vitest'
import type { Assignment, Category, Demand } from './types'
import {
  categoryName, formatDistance, formatPlace, minutesFromForm, myServices, newIdempotencyKey,
  nextStep, quietHours, signed, starProgress,
} from './view-models'

const catalogue = [{ code: 'emotional_comfort', name_zh: '情感慰藉', name_en: 'Company and comfort' }] as Category[]

function assignment(volunteer: string, status: string, ended = false): Assignment {
  return { volunteer_id: volunteer, status, ended_at: ended ? '2026-12-07T01:00:00+00:00' : null } as Assignment
}

function demand(id: string, start: string, assignments: Assignment[]): Demand {
  return { demand_id: id, window_start: start, assignments } as Demand
}

describe('categoryName', () => {
  it('names a category in the reader language, else shows the code', () => {
    expect(categoryName('emotional_comfort', catalogue, 'zh-CN')).toBe('情感慰藉')
    expect(categoryName('emotional_comfort', catalogue, 'en')).toBe('Company and comfort')
    expect(categoryName('unknown', catalogue, 'en')).toBe('unknown')
    expect(categoryName(null, catalogue, 'en')).toBe('—')
  })
})

describe('formatDistance', () => {
  it('shows metres under a kilometre and one decimal above', () => {
    expect(formatDistance(0.445)).toBe('450 m')
    expect(formatDistance(0.001)).toBe('10 m')
    expect(formatDistance(3.26)).toBe('3.3 km')
    expect(formatDistance(null)).toBeNull()
    expect(formatDistance(undefined)).toBeNull()
  })
})

describe('my services', () => {
  it('tells the next step from the assignment', () => {
    expect(nextStep(assignment('v', 'assigned'))).toBe('check_in')
    expect(nextStep(assignment('v', 'in_service'))).toBe('check_out')
    expect(nextStep(assignment('v', 'awaiting_record'))).toBe('await_record')
    expect(nextStep(assignment('v', 'recorded'))).toBe('recorded')
    expect(nextStep(assignment('v', 'assigned', true))).toBe('ended')
    expect(nextStep(null)).toBe('ended')
  })

  it('keeps only this volunteer services, once each, those to act on first', () => {
    const rows = myServices([
      [demand('a', '2026-12-07T03:00:00Z', [assignment('v', 'assigned')]),
       demand('b', '2026-12-07T01:00:00Z', [assignment('other', 'assigned')])],
      [demand('c', '2026-12-07T05:00:00Z', [assignment('v', 'in_service')]),
       demand('a', '2026-12-07T03:00:00Z', [assignment('v', 'assigned')])],
      [demand('d', '2026-12-07T00:00:00Z', [assignment('v', 'recorded')]),
       demand('e', '2026-12-07T02:00:00Z', [assignment('v', 'assigned')])],
    ], 'v')
    expect(rows.map((r) => r.demand.demand_id)).toEqual(['c', 'e', 'a', 'd'])
    expect(rows[0].step).toBe('check_out')
  })

  it('prefers the live assignment when the volunteer withdrew once and came back', () => {
    const [row] = myServices([[demand('a', 'x', [assignment('v', 'assigned', true), assignment('v', 'in_service')])]], 'v')
    expect(row.step).toBe('check_out')
  })

  it('shows a recorded place, or nothing', () => {
    expect(formatPlace({ lat: 38.0587, lng: 114.5412 })).toBe('38.05870, 114.54120')
    expect(formatPlace({})).toBeNull()
    expect(formatPlace(null)).toBeNull()
  })
})

describe('starProgress', () => {
  const thresholds = [10, 50, 100]
  it('starts at no star', () => {
    expect(starProgress(0, thresholds)).toEqual({ level: 0, next: 1, percent: 0, minutesToGo: 600 })
  })
  it('measures between two thresholds', () => {
    expect(starProgress(30 * 60, thresholds)).toEqual({ level: 1, next: 2, percent: 50, minutesToGo: 20 * 60 })
  })
  it('is full at the top star', () => {
    expect(starProgress(100 * 60, thresholds)).toEqual({ level: 3, next: null, percent: 100, minutesToGo: 0 })
  })
})

describe('minutesFromForm', () => {
  it('adds hours and minutes', () => {
    expect(minutesFromForm(1, 30)).toEqual({ minutes: 90 })
    expect(minutesFromForm(null, 5)).toEqual({ minutes: 5 })
  })
  it('refuses nothing, parts of minutes and more than there is', () => {
    expect(minutesFromForm(0, 0)).toEqual({ error: 'required' })
    expect(minutesFromForm(1.5, 0)).toEqual({ error: 'whole' })
    expect(minutesFromForm(0, 60)).toEqual({ error: 'whole' })
    expect(minutesFromForm(2, 0, 90)).toEqual({ error: 'tooMuch' })
  })
})

describe('forms', () => {
  it('makes a fresh key for each form', () => {
    expect(newIdempotencyKey(() => 'abc')).toBe('console-abc')
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey())
  })
  it('reads quiet hours', () => {
    expect(quietHours('', '')).toBeNull()
    expect(quietHours('22:00', '07:00')).toEqual({ start: '22:00', end: '07:00' })
    expect(quietHours('22:00', '')).toBe('invalid')
    expect(quietHours('25:00', '07:00')).toBe('invalid')
    expect(quietHours('07:00', '07:00')).toBe('invalid')
  })
  it('signs credits', () => {
    expect(signed('1 小时', 60)).toBe('+1 小时')
    expect(signed('-30 分钟', -30)).toBe('-30 分钟')
  })
})
