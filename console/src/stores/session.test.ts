import { describe, expect, it } from 'vitest'
import { homeFor, surfacesFor } from './session'

describe('where a person lands and which surfaces they may open', () => {
  it('sends each role home', () => {
    expect(homeFor(['station_operator'])).toBe('/station')
    expect(homeFor(['township_admin'])).toBe('/supervisor')
    expect(homeFor(['auditor'])).toBe('/supervisor')
    expect(homeFor(['volunteer', 'relative'])).toBe('/volunteer')
    expect(homeFor(['elder'])).toBe('/elder')
    expect(homeFor(['relative'])).toBe('/elder')
    expect(homeFor([])).toBe('/login')
  })
  it('offers every surface the roles open and no other', () => {
    expect(surfacesFor(['province_admin'])).toEqual(['station', 'supervisor', 'admin'])
    expect(surfacesFor(['auditor'])).toEqual(['supervisor'])
    expect(surfacesFor(['station_operator'])).toEqual(['station'])
    expect(surfacesFor(['volunteer', 'relative'])).toEqual(['volunteer', 'elder'])
  })
})
