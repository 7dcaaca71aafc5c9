// The communities under a station user's scope, shared by the desk and the people screens:
// where a person registered here may live, and the names lists show instead of the codes
// (育才社区居委会 rather than 130102001001). One call per scope, kept for the session.
import { ref } from 'vue'
import { api, ok } from '@/api/client'
import { useSession } from '@/stores/session'

export interface Community { code: string; name: string }

const COMMUNITY_CODE = /^\d{9}(?!000)\d{3}$/
const names = ref<Record<string, string>>({})
let asked: { scope: string; answer: Promise<Community[]> } | null = null

/** The communities under the caller's scope; a community-level caller's own is the only one. */
export function stationCommunities(): Promise<Community[]> {
  const scope = useSession().me?.scope ?? ''
  if (!scope) return Promise.resolve([])
  if (asked?.scope !== scope) {
    const rows: Promise<Community[]> = COMMUNITY_CODE.test(scope)
      ? Promise.resolve([{ code: scope, name: scope }])
      : ok(api.GET('/api/v1/regions', { params: { query: { parent: scope } } }))
    asked = {
      scope,
      answer: rows.then((found) => {
        names.value = { ...names.value, ...Object.fromEntries(found.map((c) => [c.code, c.name])) }
        return found
      }).catch((e: unknown) => { asked = null; throw e }),
    }
  }
  return asked.answer
}

/** A community's name for its code ('—' when there is none), filled in once they are loaded. */
export function useCommunityNames() {
  stationCommunities().catch(() => undefined)
  return (code: string | null | undefined) => (code ? names.value[code] ?? code : '—')
}
