import { describe, expect, it } from 'vitest'
import { childRows, hours, percent, score, serviceFigures } from './figures'

const child = (code: string, name: string | null, volunteers = 0) => ({
  region_code: code, name, volunteers_registered: volunteers, volunteers_eligible: 0,
  volunteers_active: 0, elders_registered: 0, carriers: 0, station_operators: 0,
})
const minutes = (code: string, deposited: number) => ({
  region_code: code, name: null, deposited_minutes: deposited, spent_minutes: 5,
  gifted_minutes: 0, donated_minutes: 0, granted_minutes: 0,
})

describe('child rows', () => {
  it('joins the ledger minutes to identity children by code', () => {
    const rows = childRows([child('130102002000', '二街', 3), child('130102001000', '建北街道', 1)],
      [minutes('130102001000', 90)])
    expect(rows.map((r) => r.code)).toEqual(['130102001000', '130102002000'])
    expect(rows[0]).toMatchObject({ name: '建北街道', volunteersRegistered: 1, depositedMinutes: 90, spentMinutes: 5 })
    expect(rows[1]).toMatchObject({ depositedMinutes: 0, spentMinutes: 0 })
  })
  it('keeps a child only the ledger knows, named by its code', () => {
    const rows = childRows([], [minutes('130102003000', 30)])
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ name: '130102003000', volunteersRegistered: 0, depositedMinutes: 30 })
  })
  it('copes with a missing ledger section', () => {
    expect(childRows([child('130102001001', null)], undefined)[0].name).toBe('130102001001')
  })
})

describe('numbers', () => {
  it('shows hours, percentages and scores', () => {
    expect(hours(90)).toBe(1.5)
    expect(percent(0.8333)).toBe('83.3%')
    expect(percent(null)).toBe('—')
    expect(score(4.25)).toBe('4.3')
    expect(score(null)).toBe('—')
  })
})

describe('service figures', () => {
  const demand = {
    demands: { total: 7 }, served: { elders: 4 },
    satisfaction: { evaluations: 2, average_score: 4 },
    disputes: { disputes_opened: 1, disputes_resolved: 0 },
  }
  const reporting = {
    totals: { demands_submitted: 9, evaluations: 3, disputes_opened: 2, disputes_resolved: 1 },
    elders_served: 5, average_score: 4.5, as_of: '2026-12-07T01:00:00+00:00', lag_seconds: 2,
  }
  const stats = (sections: Record<string, unknown>) =>
    ({ unavailable: [], reporting: null, demand: null, ...sections }) as unknown as Parameters<typeof serviceFigures>[0]

  it('takes the read model when reporting answered', () => {
    expect(serviceFigures(stats({ reporting, demand }))).toEqual({
      source: 'reporting', demands: 9, eldersServed: 5, evaluations: 3, averageScore: 4.5,
      disputesOpened: 2, disputesResolved: 1, asOf: '2026-12-07T01:00:00+00:00', lagSeconds: 2,
    })
  })
  it('falls back to demand when reporting did not answer, and to nothing without either', () => {
    expect(serviceFigures(stats({ demand }))).toMatchObject({ source: 'demand', demands: 7, eldersServed: 4, asOf: null })
    expect(serviceFigures(stats({}))).toBeNull()
  })
  it('counts a measure the read model has no figure for as zero', () => {
    const sparse = { ...reporting, totals: {} }
    expect(serviceFigures(stats({ reporting: sparse }))).toMatchObject({ demands: 0, evaluations: 0 })
  })
})
