import { describe, expect, it } from 'vitest'
import { checkState, countToday, nameOf, oldest, presentMinutes, recordable, todayRows, type Assignment, type Demand } from './services'

function demand(id: string, start: string, assignments: Partial<Assignment>[] = [], created = '2026-12-06T00:00:00Z'): Demand {
  return {
    demand_id: id, elder_id: 'e', category: 'emotional_comfort', description: '', address: '', window_start: start,
    window_end: start, expected_minutes: 60, volunteers_needed: 1, open_slots: 0, channel: 'phone', status: 'assigned',
    region_code: '130102001001', created_at: created, funding_shortfall_minutes: 0, location: null,
    carrier_id: null, submitted_by: null, funding_source: 'issuance', funding_chosen_by: null, fallback_reason: null,
    funding_available_minutes: null, reviewed_by: null, reviewed_at: null, reject_reason: null, cancel_reason: null,
    cancelled_at: null,
    assignments: assignments.map((a) => ({ volunteer_id: 'v', status: 'assigned', ...a }) as Assignment),
  }
}

describe("today's services", () => {
  const now = new Date('2026-12-07T02:00:00Z') // 10:00 China

  it('tells waiting, late, in service and checked out apart', () => {
    const later = demand('a', '2026-12-07T06:00:00Z', [{}])
    const earlier = demand('b', '2026-12-07T01:00:00Z')
    expect(checkState(later, later.assignments![0] ?? null, now)).toBe('waiting')
    expect(checkState(earlier, { status: 'assigned' } as Assignment, now)).toBe('late')
    expect(checkState(earlier, { status: 'in_service' } as Assignment, now)).toBe('in_service')
    expect(checkState(earlier, { status: 'awaiting_record' } as Assignment, now)).toBe('checked_out')
    expect(checkState(earlier, null, now)).toBe('unassigned')
  })

  it("keeps only today's (China date), one row per volunteer, earliest first", () => {
    const rows = todayRows([
      demand('late', '2026-12-07T06:00:00Z', [{ volunteer_id: 'v1' }, { volunteer_id: 'v2', status: 'in_service' }, { volunteer_id: 'v3', status: 'withdrawn' }]),
      demand('early', '2026-12-06T23:30:00Z', [{ volunteer_id: 'v4' }]), // 07:30 on the 7th in China
      demand('tomorrow', '2026-12-07T16:30:00Z', [{ volunteer_id: 'v5' }]), // 00:30 on the 8th
      demand('early', '2026-12-06T23:30:00Z', [{ volunteer_id: 'v4' }]), // listed twice
    ], now)
    expect(rows.map((r) => r.key)).toEqual(['early:v4', 'late:v1', 'late:v2'])
    expect(rows[0].state).toBe('late')
    expect(rows[0].minutesLate).toBe(150)
    expect(countToday(rows)).toEqual({ total: 3, waiting: 1, late: 1, inService: 1, checkedOut: 0 })
  })
})

describe('recording helpers', () => {
  it('lists the checked-out volunteers and their presence', () => {
    const d = demand('x', '2026-12-07T01:00:00Z', [
      { volunteer_id: 'v1', status: 'awaiting_record', checked_in_at: '2026-12-07T01:00:00Z', checked_out_at: '2026-12-07T02:35:00Z' },
      { volunteer_id: 'v2', status: 'recorded' }])
    expect(recordable(d).map((a) => a.volunteer_id)).toEqual(['v1'])
    expect(presentMinutes(recordable(d)[0])).toBe(95)
    expect(presentMinutes({ status: 'assigned' } as Assignment)).toBeNull()
  })

  it('finds the oldest and names people', () => {
    expect(oldest([demand('a', 'x', [], '2026-12-06T05:00:00Z'), demand('b', 'x', [], '2026-12-06T01:00:00Z')])?.demand_id).toBe('b')
    expect(oldest([])).toBeNull()
    expect(nameOf(new Map([['id1', '李明']]), 'id1')).toBe('李明')
    expect(nameOf(new Map(), '1234567890')).toBe('12345678…')
  })
})

describe('recording minutes', () => {
  it('accepts 1 to 720 whole minutes', async () => {
    const { recordMinutesProblem, suggestedMinutes } = await import('./services')
    expect(recordMinutesProblem(90)).toBeNull()
    expect(recordMinutesProblem(0)).toBe('recordMinutes')
    expect(recordMinutesProblem(1.5)).toBe('recordMinutes')
    expect(recordMinutesProblem(721)).toBe('recordMinutes')
    const d = demand('x', '2026-12-07T01:00:00Z')
    expect(suggestedMinutes(d, { status: 'awaiting_record', checked_in_at: '2026-12-07T01:00:00Z', checked_out_at: '2026-12-07T02:20:00Z' } as Assignment)).toBe(80)
    expect(suggestedMinutes(d, { status: 'awaiting_record' } as Assignment)).toBe(60)
  })
})
