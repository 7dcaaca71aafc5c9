// 长辈模式 display settings: larger text and high contrast, kept in localStorage so they stay
// after a reload and on the next visit (the language is kept by src/i18n the same way).

export interface ElderPrefs {
  large: boolean
  contrast: boolean
}

export const PREFS_KEY = 'tb-elder-prefs'

export function parsePrefs(raw: string | null): ElderPrefs {
  try {
    const value = raw ? (JSON.parse(raw) as Partial<ElderPrefs>) : {}
    return { large: value.large === true, contrast: value.contrast === true }
  } catch {
    return { large: false, contrast: false }
  }
}

export function loadPrefs(storage: Pick<Storage, 'getItem'> | null = safeStorage()): ElderPrefs {
  return parsePrefs(storage?.getItem(PREFS_KEY) ?? null)
}

export function savePrefs(prefs: ElderPrefs, storage: Pick<Storage, 'setItem'> | null = safeStorage()): void {
  try {
    storage?.setItem(PREFS_KEY, JSON.stringify({ large: prefs.large, contrast: prefs.contrast }))
  } catch {
    /* private mode: the choice lasts for this page */
  }
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}
