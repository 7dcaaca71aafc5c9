// Who the pages speak for: the elder themself, or (a proxy relative) the elder chosen in the
// chooser; the display settings; the catalogue, read once. Shared by the surface's pages.
import { reactive } from 'vue'
import { useCatalogue } from '@/catalogue'
import { api, ok } from '@/api/client'
import type { Schemas } from '@/api/client'
import { loadPrefs, savePrefs, type ElderPrefs } from './prefs'

export type ActedFor = Schemas['ActedForOut']
export type Category = Schemas['DemandCategoryAdminOut']

const CHOSEN_KEY = 'tb-elder-chosen'

export const elderState = reactive({
  loaded: false,
  elders: [] as ActedFor[],
  chosenId: null as string | null,
  prefs: loadPrefs() as ElderPrefs,
  categories: [] as Category[],
})

function storedChoice(): string | null {
  try {
    return sessionStorage.getItem(CHOSEN_KEY)
  } catch {
    return null
  }
}

/** The elders the caller speaks for (GET /api/v1/me/elders); an elder chooses themself. */
export async function loadElders(): Promise<void> {
  const answer = await ok(api.GET('/api/v1/me/elders'))
  elderState.elders = answer.items
  const self = answer.items.find((e) => e.self)
  const stored = storedChoice()
  if (self) elderState.chosenId = self.elder_id
  else if (stored && answer.items.some((e) => e.elder_id === stored)) elderState.chosenId = stored
  else elderState.chosenId = null
  elderState.loaded = true
}

export function chooseElder(elderId: string): void {
  elderState.chosenId = elderId
  try {
    sessionStorage.setItem(CHOSEN_KEY, elderId)
  } catch {
    /* the choice lasts for this page */
  }
}

export function chosenElder(): ActedFor | null {
  return elderState.elders.find((e) => e.elder_id === elderState.chosenId) ?? null
}

/** True when a relative acts for someone else (confirmations are then the proxy's). */
export function actingAsProxy(): boolean {
  const chosen = chosenElder()
  return chosen !== null && !chosen.self
}

export async function loadCategories(): Promise<Category[]> {
  if (!elderState.categories.length) {
    const { categories, ready } = useCatalogue()
    await ready
    elderState.categories = categories.value.filter((c) => c.active !== false && c.code)
      .sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0))
  }
  return elderState.categories
}

export function setPref(name: keyof ElderPrefs, value: boolean): void {
  elderState.prefs[name] = value
  savePrefs(elderState.prefs)
}
