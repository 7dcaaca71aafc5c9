import { describe, expect, it } from 'vitest'
import { currentPlace, presenceBody } from './location'

function fakeGeolocation(outcome: { lat: number; lng: number } | { code: number }): Geolocation {
  return {
    getCurrentPosition(ok: PositionCallback, fail?: PositionErrorCallback | null) {
      if ('code' in outcome) fail?.({ code: outcome.code, message: '' } as GeolocationPositionError)
      else ok({ coords: { latitude: outcome.lat, longitude: outcome.lng } } as GeolocationPosition)
    },
  } as Geolocation
}

describe('currentPlace', () => {
  it('gives the coordinates', async () => {
    expect(await currentPlace(fakeGeolocation({ lat: 38.0587, lng: 114.5412 }))).toEqual({ place: { lat: 38.0587, lng: 114.5412 } })
  })
  it('says why there is none', async () => {
    expect(await currentPlace(fakeGeolocation({ code: 1 }))).toEqual({ missing: 'refused' })
    expect(await currentPlace(fakeGeolocation({ code: 2 }))).toEqual({ missing: 'unavailable' })
    expect(await currentPlace(fakeGeolocation({ code: 3 }))).toEqual({ missing: 'timeout' })
    expect(await currentPlace(undefined)).toEqual({ missing: 'unsupported' })
  })
})

describe('presenceBody', () => {
  const now = new Date('2026-12-07T01:00:00Z')
  it('sends the place and the device time', () => {
    expect(presenceBody({ place: { lat: 38.05871234, lng: 114.5412 } }, now))
      .toEqual({ at: '2026-12-07T01:00:00.000Z', lat: 38.058712, lng: 114.5412 })
  })
  it('sends no coordinates without a place', () => {
    expect(presenceBody({ missing: 'refused' }, now)).toEqual({ at: '2026-12-07T01:00:00.000Z', lat: null, lng: null })
  })
})
