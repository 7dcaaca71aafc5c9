import { describe, expect, it } from 'vitest'
import { childRows, hours, percent, score } from './figures'

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
