import { describe, expect, it } from 'vitest'
import {
  certificateFileName, changedFields, decidesDisputes, shortId, defaultPeriod, isCommunityCode, isMobile, nameIn,
  normaliseCertificateNumber, outcomeCloses, peopleQuery, periodProblem, reasonOk, reasonText,
  resolutionProblem, searchKind, statusTag, trainingPercent, volunteerBody, volunteerProblems, type VolunteerForm,
} from './logic'

describe('people search', () => {
  it('tells a phone, an ID number and a name apart', () => {
    expect(searchKind('13800000007')).toBe('phone')
    expect(searchKind(' 130102199105120713 ')).toBe('id_number')
    expect(searchKind('13010219910512071x')).toBe('id_number')
    expect(searchKind('郑')).toBe('q')
    expect(searchKind('   ')).toBeNull()
    expect(searchKind('1380000000')).toBe('q')
  })
  it('builds the list query', () => {
    expect(peopleQuery({ text: '13800000007', status: 'active', eligible: 'no' }, 2, 20))
      .toEqual({ page: 2, page_size: 20, phone: '13800000007', status: 'active', eligible: false })
    expect(peopleQuery({ text: '13010219910512071x', status: 'all', category: 'empty_nest' }, 1, 20))
      .toEqual({ page: 1, page_size: 20, id_number: '13010219910512071X', status: 'all', category: 'empty_nest' })
    expect(peopleQuery({ text: '', status: '' }, 1, 10)).toEqual({ page: 1, page_size: 10 })
  })
})

describe('words and tags', () => {
  it('picks the language', () => {
    const reason = { code: 'training_hours', zh: '培训学时不足', en: 'Training hours missing' }
    expect(reasonText(reason, 'zh-CN')).toBe('培训学时不足')
    expect(reasonText(reason, 'en')).toBe('Training hours missing')
    expect(nameIn({ zh: '子女', en: 'Child' }, 'en')).toBe('Child')
    expect(nameIn(null, 'en')).toBe('—')
  })
  it('colours statuses', () => {
    expect(statusTag('verified')).toBe('success')
    expect(statusTag('pending')).toBe('warning')
    expect(statusTag('flagged')).toBe('danger')
    expect(statusTag('left')).toBe('info')
  })
  it('measures training', () => {
    expect(trainingPercent(4, 8)).toBe(50)
    expect(trainingPercent(12, 8)).toBe(100)
    expect(trainingPercent(0, 0)).toBe(100)
  })
})

describe('form checks', () => {
  it('reasons, codes and phones', () => {
    expect(reasonOk('  ')).toBe(false)
    expect(reasonOk('搬去女儿家')).toBe(true)
    expect(reasonOk('x'.repeat(501))).toBe(false)
    expect(isCommunityCode('130102001001')).toBe(true)
    expect(isCommunityCode('130102001000')).toBe(false)
    expect(isCommunityCode('110102001001')).toBe(false)
    expect(isMobile('13800000009')).toBe(true)
    expect(isMobile('12800000009')).toBe(false)
  })
  it('sends only what changed', () => {
    expect(changedFields({ address: '育才街1号', emergency_contact_name: '王志刚' },
      { address: ' 育才街2号 ', emergency_contact_name: '王志刚' })).toEqual({ address: '育才街2号' })
    expect(changedFields({ address: '育才街1号' }, { address: '' })).toEqual({ address: null })
    expect(changedFields<{ address: string | null }>({ address: null }, { address: '' })).toEqual({})
  })
  it('checks a dispute resolution', () => {
    expect(resolutionProblem('upheld', null, 90, '核实')).toBeNull()
    expect(resolutionProblem('minutes_adjusted', 90, 90, '核实')).toBe('minutes')
    expect(resolutionProblem('minutes_adjusted', 60, 90, '核实')).toBeNull()
    expect(resolutionProblem('minutes_adjusted', null, 90, '核实')).toBe('minutes')
    expect(resolutionProblem('voided', null, null, ' ')).toBe('reason')
    expect(resolutionProblem('', null, null, 'x')).toBe('outcome')
  })
  it('knows which call outcomes close a task', () => {
    expect(outcomeCloses('reached')).toBe(true)
    expect(outcomeCloses('wrong_number')).toBe(true)
    expect(outcomeCloses('no_answer')).toBe(false)
    expect(outcomeCloses('callback')).toBe(false)
  })
})

describe('certificates', () => {
  it('periods', () => {
    expect(defaultPeriod('2026-12-07')).toEqual(['2026-01-01', '2026-12-07'])
    expect(periodProblem('2026-01-01', '2026-12-07', '2026-12-07')).toBeNull()
    expect(periodProblem('2026-12-08', '2026-12-07', '2026-12-07')).toBe('order')
    expect(periodProblem('2026-01-01', '2026-12-08', '2026-12-07')).toBe('future')
    expect(periodProblem('', '2026-12-07', '2026-12-07')).toBe('missing')
  })
  it('numbers and file names', () => {
    expect(normaliseCertificateNumber(' tb-2026 0001 ')).toBe('TB-20260001')
    expect(certificateFileName('TB-2026/0001')).toBe('service-certificate-TB-20260001.pdf')
  })
})

describe('disputes', () => {
  it('knows who decides', () => {
    expect(decidesDisputes('130102001000')).toBe(true)
    expect(decidesDisputes('130000000000')).toBe(true)
    expect(decidesDisputes('130102001001')).toBe(false)
    expect(decidesDisputes(null)).toBe(false)
    expect(shortId('a887fbc8-0f60-4605')).toBe('a887fbc8')
  })
})

describe('the volunteer registration form', () => {
  const form = (over: Partial<VolunteerForm> = {}): VolunteerForm => ({
    name: '张晓明', idNumber: '13010219950101123x', phone: '13512345678', regionCode: '130102001001',
    password: 'Volunteer@2026', volunteerNumber: '', ...over,
  })
  it('accepts a complete form and sends it trimmed, the ID number upper-case', () => {
    expect(volunteerProblems(form())).toEqual([])
    expect(volunteerBody(form({ name: ' 张晓明 ', volunteerNumber: ' ' }))).toEqual({
      name: '张晓明', id_number: '13010219950101123X', phone: '13512345678', region_code: '130102001001',
      initial_password: 'Volunteer@2026', volunteer_number: null, address: null,
      registry_status: null, screening: null, health_declared: false, training_hours_completed: null,
    })
  })
  it('names every problem in the form order', () => {
    expect(volunteerProblems(form({ name: ' ', idNumber: '1301', phone: '123', regionCode: '130102001000', password: 'short' })))
      .toEqual(['name', 'idNumber', 'phone', 'region', 'password'])
  })
})
