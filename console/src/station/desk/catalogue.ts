// The service catalogue's names, loaded once per visit (GET /api/v1/catalog).
import { ref } from 'vue'
import { api, ok, type Schemas } from '@/api/client'

export type Category = Schemas['DemandCategoryAdminOut']
const categories = ref<Category[]>([])
const notOffered = ref<Schemas['DemandNotOfferedOut'] | null>(null)
let loading: Promise<void> | null = null

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

export function categoryName(list: Category[], code: string, locale: string): string {
  const found = list.find((c) => c.code === code)
  if (!found) return code
  return (locale.startsWith('zh') ? found.name_zh : found.name_en) ?? code
}
