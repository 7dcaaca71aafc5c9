import { describe, expect, it } from 'vitest'
import { addToTime, ageFromIdNumber, checkDemand, checkElder, demandBody, drawsOnElder, elderBody, homeOf, idNumberProblem, type DemandForm, type ElderForm } from './intake'

// 130102 19480308 082 + check character (the demo elder's pattern)
function withCheck(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = w.reduce((acc, x, i) => acc + x * Number(first17[i]), 0)
  return first17 + '10X98765432'[sum % 11]
}
const ELDER_ID = withCheck('13010219480308082')

describe('registering an elder taken by phone', () => {
  const form: ElderForm = { name: '张大爷', idNumber: ELDER_ID, phone: '13912345678', phoneOnly: true, address: '育才街1号',
    regionCode: '130102001001', emergencyName: '', emergencyPhone: '' }

  it('checks the ID number and its check digit', () => {
    expect(idNumberProblem(ELDER_ID)).toBeNull()
    expect(idNumberProblem('123')).toBe('idNumber')
    const wrong = ELDER_ID.slice(0, 17) + (ELDER_ID[17] === '1' ? '2' : '1')
    expect(idNumberProblem(wrong)).toBe('idChecksum')
  })

  it('knows the age from the ID number', () => {
    expect(ageFromIdNumber(ELDER_ID, '2026-12-07')).toBe(78)
    expect(ageFromIdNumber(ELDER_ID, '2026-03-07')).toBe(77)
  })

  it('accepts a complete form and refuses what is missing or under 60', () => {
    expect(checkElder(form, '2026-12-07')).toEqual({})
    const young = withCheck('13010219900101001')
    expect(checkElder({ ...form, idNumber: young }, '2026-12-07').idNumber).toBe('under60')
    expect(checkElder({ ...form, name: ' ', phone: '123', regionCode: '' }, '2026-12-07'))
      .toEqual({ name: 'name', phone: 'phone', regionCode: 'region' })
  })

  it('sends optional fields as null', () => {
    const body = elderBody(form, 'c1')
    expect(body.emergency_contact_name).toBeNull()
    expect(body.carrier_id).toBe('c1')
    expect(body.phone_only).toBe(true)
  })
})

describe('taking a demand', () => {
  const now = new Date('2026-12-07T01:00:00Z') // 09:00 in China
  const form: DemandForm = { category: 'emotional_comfort', date: '2026-12-07', start: '14:00', end: '16:00',
    expectedMinutes: 90, volunteersNeeded: 1, address: '育才街1号', description: '陪聊天', channel: 'phone', funding: 'grant' }

  it('accepts a future window long enough for the expected minutes', () => {
    expect(checkDemand(form, now)).toEqual({})
  })

  it('refuses a window in the past, reversed or too short', () => {
    expect(checkDemand({ ...form, start: '08:00', end: '10:00' }, now).time).toBe('past')
    expect(checkDemand({ ...form, end: '13:00' }, now).time).toBe('order')
    expect(checkDemand({ ...form, end: '15:00' }, now).time).toBe('tooShort')
    expect(checkDemand({ ...form, expectedMinutes: 5 }, now).expectedMinutes).toBe('minutes')
  })

  it('builds the body in China time with the funding source', () => {
    const body = demandBody(form, 'e1')
    expect(body.window_start).toBe('2026-12-07T14:00:00+08:00')
    expect(body.window_end).toBe('2026-12-07T16:00:00+08:00')
    expect(body.funding_source).toBe('grant')
    expect(body.channel).toBe('phone')
  })

  it("takes the elder's home as the place when identity knows it", () => {
    expect(homeOf({ latitude: 38.05, longitude: 114.52 })).toEqual({ lat: 38.05, lng: 114.52 })
    expect(homeOf({ latitude: null, longitude: null })).toBeNull()
    expect(demandBody(form, 'e1', { lat: 38.05, lng: 114.52 }).location).toEqual({ lat: 38.05, lng: 114.52 })
    expect(demandBody(form, 'e1').location).toBeNull()
  })

  it('says which sources draw on the elder', () => {
    expect(drawsOnElder('own_hours')).toBe(true)
    expect(drawsOnElder('issuance')).toBe(false)
  })

  it('adds minutes to a time', () => {
    expect(addToTime('14:00', 90)).toBe('15:30')
    expect(addToTime('23:00', 120)).toBe('23:59')
  })
})
