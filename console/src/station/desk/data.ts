// The desk's reads: a few list calls, typed (the demands' page from the generated schema; the
// people's pages, which identity does not document yet, from the schemas of their items), and the
// names of the station's people (one call each for volunteers and elders, kept while the
// console is open) so that screens show names rather than ids.
import { reactive } from 'vue'
import { api, ok } from '@/api/client'
import type { Demand, ListedPerson, Page } from './services'

type DemandStatus = NonNullable<Demand['status']>

export async function demandsIn(status: DemandStatus, pageSize = 100): Promise<Page<Demand>> {
  return ok(api.GET('/api/v1/demands', { params: { query: { status, page_size: pageSize } } }))
}

const names = reactive(new Map<string, string>())
let loading: Promise<void> | null = null

/** Remember people met elsewhere (a search, a registration). */
export function rememberNames(people: ListedPerson[]): void {
  for (const person of people) names.set(person.person_id, person.name)
}

/** The names of the volunteers and elders in the caller's scope (first 100 of each). */
export function useNames(): Map<string, string> {
  if (!loading) {
    loading = (async () => {
      const [volunteers, elders] = await Promise.all([
        ok(api.GET('/api/v1/volunteers', { params: { query: { page_size: 100 } } })).catch(() => null),
        ok(api.GET('/api/v1/elders', { params: { query: { page_size: 100 } } })).catch(() => null),
      ])
      for (const page of [volunteers, elders]) {
        if (page) rememberNames(page.items)
      }
    })()
  }
  return names
}

const asked = new Set<string>()

/** Look up, one by one, the names the lists did not bring (more than 100 people in scope, or
 *  staff): only the ids not known yet, at most 30 at a time, each asked once. `person` ids
 *  (volunteers, staff) are read with GET /api/v1/volunteers/{id}, elders with /elders/{id}. */
export async function ensureNames(ids: ReadonlyArray<string | null | undefined>, kind: 'person' | 'elder'): Promise<void> {
  useNames()
  await loading
  const missing = [...new Set(ids.filter((id): id is string => !!id))].filter((id) => !names.has(id) && !asked.has(id)).slice(0, 30)
  await Promise.all(missing.map(async (id) => {
    asked.add(id)
    try {
      const params = { params: { path: { person_id: id }, query: { unmasked: false } } }
      const person = kind === 'elder'
        ? await ok(api.GET('/api/v1/elders/{person_id}', params))
        : await ok(api.GET('/api/v1/volunteers/{person_id}', params))
      const name = person.name
      if (name) names.set(id, name)
    } catch { /* shown by its id */ }
  }))
}

/** Forget the names (e.g. after registering people elsewhere) so the next screen reloads them. */
export function reloadNames(): void {
  loading = null
}
