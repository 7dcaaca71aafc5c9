import { describe, expect, it } from 'vitest'
import { ancestorAt, childLevel, isRegionCode, levelOf, pathFrom, within } from './regions'

describe('region codes', () => {
  it('knows each level', () => {
    expect(levelOf('130000000000')).toBe('province')
    expect(levelOf('130100000000')).toBe('city')
    expect(levelOf('130102000000')).toBe('county')
    expect(levelOf('130102001000')).toBe('township')
    expect(levelOf('130102001001')).toBe('community')
  })
  it('refuses what is not a code', () => {
    expect(isRegionCode('1301')).toBe(false)
    expect(isRegionCode('audit')).toBe(false)
    expect(() => levelOf('13')).toThrow()
  })
  it('drills one level at a time, and not below a community', () => {
    expect(childLevel('130102000000')).toBe('township')
    expect(childLevel('130102001001')).toBeNull()
  })
  it('finds ancestors and the breadcrumb from the scope', () => {
    expect(ancestorAt('130102001001', 'county')).toBe('130102000000')
    expect(pathFrom('130102000000', '130102001001')).toEqual(['130102000000', '130102001000', '130102001001'])
    expect(pathFrom('130102001000', '130102001000')).toEqual(['130102001000'])
    expect(pathFrom('130200000000', '130102001001')).toEqual([])
  })
  it('checks scope by prefix', () => {
    expect(within('130100000000', '130102001001')).toBe(true)
    expect(within('130102001000', '130102002000')).toBe(false)
  })
})
