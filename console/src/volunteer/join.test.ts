import { describe, expect, it } from 'vitest'
import { blankJoinForm, clearBelow, joinBody, joinProblems, type JoinForm } from './join'

const good = (over: Partial<JoinForm> = {}): JoinForm => ({
  ...blankJoinForm(), name: '张晓明', phone: '13512345678', regionCode: '130102001001', ...over,
})

describe('the join form', () => {
  it('accepts a name, a mobile and a community', () => {
    expect(joinProblems(good())).toEqual([])
    expect(joinProblems(good({ skills: '理发', notes: '周末有空' }))).toEqual([])
  })
  it('says every missing or wrong field at once, in the form order', () => {
    expect(joinProblems(blankJoinForm())).toEqual(['name', 'phone', 'region'])
  })
  it('refuses a name of spaces or of more than 100 characters', () => {
    expect(joinProblems(good({ name: '   ' }))).toEqual(['name'])
    expect(joinProblems(good({ name: '张'.repeat(101) }))).toEqual(['name'])
    expect(joinProblems(good({ name: '张'.repeat(100) }))).toEqual([])
  })
  it('wants a mainland mobile number', () => {
    for (const phone of ['1351234567', '135123456789', '12512345678', '0311-8600123', '1351234567a']) {
      expect(joinProblems(good({ phone }))).toEqual(['phone'])
    }
    expect(joinProblems(good({ phone: ' 13512345678 ' }))).toEqual([])
  })
  it('wants a community of the province, not a township or another province', () => {
    for (const regionCode of ['130102001000', '110101001001', '1301020010', '']) {
      expect(joinProblems(good({ regionCode }))).toEqual(['region'])
    }
  })
  it('limits skills and notes', () => {
    expect(joinProblems(good({ skills: 'x'.repeat(501), notes: 'y'.repeat(1001) }))).toEqual(['skills', 'notes'])
  })
  it('sends trimmed texts and leaves empty ones out', () => {
    expect(joinBody(good({ name: ' 张晓明 ', skills: '  ', notes: ' 晚上 ' }))).toEqual({
      name: '张晓明', phone: '13512345678', region_code: '130102001001', skills: null, notes: '晚上',
    })
  })
  it('clears the levels below a new choice', () => {
    const picked = { city: '130100000000', county: '130102000000', township: '130102001000', community: '130102001001' }
    expect(clearBelow(picked, 'county')).toEqual({ ...picked, township: '', community: '' })
    expect(clearBelow(picked, 'community')).toEqual(picked)
  })
})
