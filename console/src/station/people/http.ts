// Small glue over the shared client for this folder's screens.
import { ref } from 'vue'
import { api, ok } from '@/api/client'
import { useSession } from '@/stores/session'

const names = ref<Record<string, string>>({})
let loadedFor: string | null = null

/** Names of the communities under the caller's scope (one call, kept for the session), so
 *  lists show 育才社区居委会 rather than 130102001001. */
export function useCommunityNames() {
  const session = useSession()
  const scope = session.me?.scope
  if (scope && loadedFor !== scope) {
    loadedFor = scope
    ok(api.GET('/api/v1/regions', { params: { query: { parent: scope } } }))
      .then((rows) => {
        const next: Record<string, string> = { ...names.value }
        for (const row of rows) next[row.code] = row.name
        names.value = next
      })
      .catch(() => { loadedFor = null })
  }
  return (code: string | null | undefined) => (code ? names.value[code] ?? code : '—')
}
