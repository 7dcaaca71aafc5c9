import { describe, expect, it } from 'vitest'
import { PREFS_KEY, loadPrefs, parsePrefs, savePrefs } from './prefs'

describe('elder display settings', () => {
  it('read defaults from nothing or from rubbish', () => {
    expect(parsePrefs(null)).toEqual({ large: false, contrast: false })
    expect(parsePrefs('not json')).toEqual({ large: false, contrast: false })
  })

  it('survive a save and a load', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    savePrefs({ large: true, contrast: true }, storage)
    expect(JSON.parse(store.get(PREFS_KEY)!)).toEqual({ large: true, contrast: true })
    expect(loadPrefs(storage)).toEqual({ large: true, contrast: true })
  })
})
