// Where the volunteer is, for check-in and check-out: the browser's location when given,
// otherwise why not (the API takes a check-in without coordinates; the station then sees a
// record without location evidence).

export type Place = { lat: number; lng: number }
export type NoPlace = 'refused' | 'unavailable' | 'timeout' | 'unsupported'
export type PlaceResult = { place: Place } | { missing: NoPlace }

export function currentPlace(geolocation: Geolocation | undefined = globalThis.navigator?.geolocation,
                             timeoutMs = 10_000): Promise<PlaceResult> {
  if (!geolocation) return Promise.resolve({ missing: 'unsupported' })
  return new Promise((resolve) => {
    geolocation.getCurrentPosition(
      (position) => resolve({ place: { lat: position.coords.latitude, lng: position.coords.longitude } }),
      (error) => resolve({ missing: error.code === 1 ? 'refused' : error.code === 3 ? 'timeout' : 'unavailable' }),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    )
  })
}

/** The body of check-in / check-out: the device's time and, when known, where it is. */
export function presenceBody(result: PlaceResult, now: Date = new Date()): { at: string; lat: number | null; lng: number | null } {
  if (!('place' in result)) return { at: now.toISOString(), lat: null, lng: null }
  return { at: now.toISOString(), lat: Math.round(result.place.lat * 1e6) / 1e6,
           lng: Math.round(result.place.lng * 1e6) / 1e6 }
}
