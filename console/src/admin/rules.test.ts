import { describe, expect, it } from 'vitest'
import { categoryChanges, categoryForm, grantableRoles, isCityLevel, operatorBody, operatorProblems, parseList } from './rules'

describe('grantable roles', () => {
  it('goes only downward, with the auditor beside', () => {
    expect(grantableRoles(['province_admin'])).toEqual(['province_admin', 'city_admin', 'county_admin', 'township_admin', 'station_operator', 'auditor'])
    expect(grantableRoles(['county_admin'])).toEqual(['township_admin', 'station_operator', 'auditor'])
    expect(grantableRoles(['township_admin'])).toEqual(['station_operator', 'auditor'])
    expect(grantableRoles(['auditor'])).toEqual([])
    expect(grantableRoles(['station_operator'])).toEqual([])
  })
})

describe('operator form', () => {
  const form = { name: '张三', phone: '13912345678', idNumber: '130102199001010011', regionCode: '130102001001',
    role: 'township_admin' as const, scopeCode: '130102001000', carrierId: '', password: 'Secret@2026' }
  it('accepts a complete form', () => {
    expect(operatorProblems(form)).toEqual([])
    expect(operatorBody(form)).toMatchObject({ role: 'township_admin', scope_code: '130102001000', carrier_id: null })
  })
  it('names what is missing', () => {
    expect(operatorProblems({ ...form, phone: '123', password: 'short', scopeCode: '1301' })).toEqual(['phone', 'scopeCode', 'password'])
    expect(operatorProblems({ ...form, role: 'station_operator' })).toEqual(['carrierId'])
  })
  it('binds a station operator to a carrier, not a scope', () => {
    expect(operatorBody({ ...form, role: 'station_operator', carrierId: 'c1' })).toMatchObject({ scope_code: null, carrier_id: 'c1' })
  })
})

describe('catalogue edits', () => {
  const category = { code: 'chat', name_zh: '陪伴聊天', name_en: 'Company', default_minutes: 60, professional: false,
    group_allowed: false, qualifications: [], sort_order: 10, active: true }
  it('sends only what changed', () => {
    const form = categoryForm(category)
    expect(categoryChanges(category, form)).toEqual({})
    expect(categoryChanges(category, { ...form, default_minutes: 90, name_en: ' Chat ' })).toEqual({ default_minutes: 90, name_en: 'Chat' })
    expect(categoryChanges(category, { ...form, qualifications: '护士、 医师' })).toEqual({ qualifications: ['护士', '医师'] })
  })
  it('splits lists', () => {
    expect(parseList('a, b，c、d')).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('client scope', () => {
  it('is a city-level unit', () => {
    expect(isCityLevel('130100000000')).toBe(true)
    expect(isCityLevel('130181000000')).toBe(true)
    expect(isCityLevel('130102000000')).toBe(false)
  })
})
