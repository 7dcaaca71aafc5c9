// Small glue over the shared client for this folder's screens.
import { ref } from 'vue'
import { api } from '@/api/client'
import { okAs } from '@/api/answers'
import { useSession } from '@/stores/session'

export { okAs }

interface RegionRow { code: string; name: string; level: string; parent_code: string | null }

const names = ref<Record<string, string>>({})
let loadedFor: string | null = null

/** Names of the communities under the caller's scope (one call, kept for the session), so
 *  lists show 育才社区居委会 rather than 130102001001. */
export function useCommunityNames() {
  const session = useSession()
  const scope = session.me?.scope
  if (scope && loadedFor !== scope) {
    loadedFor = scope
    okAs<RegionRow[]>(api.GET('/api/v1/regions', { params: { query: { parent: scope } } }))
      .then((rows) => {
        const next: Record<string, string> = { ...names.value }
        for (const row of rows) next[row.code] = row.name
        names.value = next
      })
      .catch(() => { loadedFor = null })
  }
  return (code: string | null | undefined) => (code ? names.value[code] ?? code : '—')
}
