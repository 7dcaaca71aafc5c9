// The service catalogue (GET /api/v1/catalog), asked once per page load and shared by every
// surface: the desk, the people screens, the volunteer's and the elder's pages.
import { ref } from 'vue'
import { api, ok, type Schemas } from '@/api/client'

export type Category = Schemas['DemandCategoryAdminOut']
const categories = ref<Category[]>([])
const notOffered = ref<Schemas['DemandNotOfferedOut'] | null>(null)
let loading: Promise<void> | null = null

/** The categories (and what the catalogue does not offer), loading them the first time;
 *  ``ready`` settles when they are there (it rejects when the call failed, and the next
 *  use asks again). */
export function useCatalogue() {
  if (!loading) {
    loading = ok(api.GET('/api/v1/catalog')).then((answer) => {
      categories.value = answer.categories ?? []
      notOffered.value = answer.not_offered ?? null
    }).catch((error) => {
      loading = null
      throw error
    })
  }
  return { categories, notOffered, ready: loading }
}

/** The category's name in the reader's language (the code when the catalogue lacks it). */
export function categoryName(list: readonly Pick<Category, 'code' | 'name_zh' | 'name_en'>[], code: string, locale: string): string {
  const found = list.find((c) => c.code === code)
  if (!found) return code
  return (locale.startsWith('zh') ? found.name_zh : found.name_en) ?? code
}
