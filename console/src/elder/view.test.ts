import { describe, expect, it } from 'vitest'
import type { Schemas } from '@/api/client'
import {
  availableFor, categoryName, dayPartOpen, missingForAsk, nextDays, paymentCovers, scoreOf,
  servicesToFinish, toBalance, toService, upcomingServices, volunteerName, volunteerNames, windowOf,
  type Service,
} from './view'

function service(over: Partial<Service> = {}): Service {
  return { id: 'd1', category: 'chat', description: '想找人聊聊天', status: 'assigned', windowStart: '2026-12-08T01:00:00Z',
           windowEnd: '2026-12-08T04:00:00Z', volunteers: [], records: [], ...over }
}

const NOW = new Date('2026-12-07T02:00:00Z') // 10:00 in China

describe('upcoming services', () => {
  it('keeps what is still to come, soonest first, and drops the finished and cancelled', () => {
    const later = service({ id: 'later', windowStart: '2026-12-09T01:00:00Z', windowEnd: '2026-12-09T04:00:00Z' })
    const sooner = service({ id: 'sooner' })
    const past = service({ id: 'past', windowStart: '2026-12-06T01:00:00Z', windowEnd: '2026-12-06T04:00:00Z' })
    const cancelled = service({ id: 'cancelled', status: 'cancelled' })
    const recorded = service({ id: 'recorded', status: 'recorded' })
    expect(upcomingServices([later, past, cancelled, sooner, recorded], NOW).map((s) => s.id))
      .toEqual(['sooner', 'later'])
  })
})

describe('services to finish', () => {
  it('sorts records into confirm, rate and being checked', () => {
    const rec = (id: string, status: string, confirmed = false) =>
      ({ recordId: id, volunteerId: `v-${id}`, status, minutes: 60, confirmed })
    const waiting = service({ id: 'w', status: 'recorded', records: [rec('a', 'awaiting_confirmation')] })
    const toRate = service({ id: 'r', status: 'recorded', records: [rec('b', 'sent')] })
    const held = service({ id: 'h', status: 'awaiting_record', records: [rec('c', 'held', true)] })
    const heldUnconfirmed = service({ id: 'hu', status: 'recorded', records: [rec('d', 'held')] })
    const upcoming = service({ id: 'u' })
    const done = servicesToFinish([waiting, toRate, held, heldUnconfirmed, upcoming])
    expect(done.map((d) => d.service.id).sort()).toEqual(['h', 'hu', 'r', 'w'])
    const byId = Object.fromEntries(done.map((d) => [d.service.id, d]))
    expect(byId.w.toConfirm).toHaveLength(1)
    expect(byId.r.toRate.map((r) => r.volunteerId)).toEqual(['v-b'])
    expect(byId.h.beingChecked).toHaveLength(1)
    expect(byId.h.toConfirm).toHaveLength(0)
    expect(byId.hu.toConfirm).toHaveLength(1)
  })
})

describe('ratings', () => {
  it('maps the three big buttons to the API score', () => {
    expect([scoreOf('good'), scoreOf('fair'), scoreOf('poor')]).toEqual([5, 3, 1])
  })
})

describe('view models', () => {
  it('fills what the API leaves out', () => {
    // a partial answer (older gateways, hand-made fixtures): the view still holds together
    const s = toService({ demand_id: 'x', status: 'assigned', volunteers: [{ volunteer_id: 'v', name_masked: '李*' }], records: [] } as unknown as Schemas['ElderServiceOut'])
    expect(s.category).toBe('')
    expect(volunteerNames(s)).toBe('李*')
    expect(volunteerName(s, 'v')).toBe('李*')
    expect(volunteerName(s, 'other')).toBe('*')
    expect(volunteerNames(service())).toBeNull()
    expect(toBalance({ person_id: 'p', earned_minutes: 750, grant_minutes: 120, reserved_minutes: 0, available_minutes: 870 }))
      .toEqual({ earned: 750, grant: 120, reserved: 0, available: 870 })
  })

  it('names a category in the reader\'s language', () => {
    const categories = [{ code: 'chat', name_zh: '陪伴聊天', name_en: 'Companionship' }]
    expect(categoryName(categories, 'chat', 'zh-CN')).toBe('陪伴聊天')
    expect(categoryName(categories, 'chat', 'en')).toBe('Companionship')
    expect(categoryName(categories, 'unknown', 'en')).toBe('unknown')
  })
})

describe('asking for a service', () => {
  it('offers the next seven China days, today first', () => {
    const days = nextDays(7, new Date('2026-12-31T17:00:00Z')) // 1 Jan 2027 01:00 in China
    expect(days[0]).toBe('2027-01-01')
    expect(days).toHaveLength(7)
    expect(days[6]).toBe('2027-01-07')
  })

  it('makes China-time windows and closes parts of today that are over', () => {
    expect(windowOf('2026-12-07', 'morning')).toEqual({ start: '2026-12-07T09:00:00+08:00', end: '2026-12-07T12:00:00+08:00' })
    expect(dayPartOpen('2026-12-07', 'morning', new Date('2026-12-07T03:45:00Z'))).toBe(false) // 11:45
    expect(dayPartOpen('2026-12-07', 'afternoon', new Date('2026-12-07T03:45:00Z'))).toBe(true)
  })

  it('tells whether the chosen hours are enough', () => {
    const balance = { earned: 90, grant: 30, reserved: 0, available: 120 }
    expect(paymentCovers('own_hours', 60, balance)).toBe(true)
    expect(paymentCovers('grant', 60, balance)).toBe(false)
    expect(paymentCovers('issuance', 600, null)).toBe(true)
    expect(availableFor('own_hours', { earned: 90, grant: 0, reserved: 60, available: 30 })).toBe(30)
    expect(paymentCovers('own_hours', 60, null)).toBe(false)
  })

  it('lists what is missing before sending', () => {
    const empty = { category: null, day: null, part: null, payment: null, address: ' ' }
    expect(missingForAsk(empty)).toEqual(['category', 'time', 'payment', 'address'])
    expect(missingForAsk({ category: 'chat', day: '2026-12-08', part: 'morning', payment: 'issuance', address: '育才街18号' })).toEqual([])
  })
})
