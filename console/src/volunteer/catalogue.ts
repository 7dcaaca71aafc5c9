// The service catalogue's names, asked once per page load and shared by the volunteer's pages.
import { ref } from 'vue'
import { api, ok } from '@/api/client'
import type { Category } from './types'

const categories = ref<Category[]>([])
let pending: Promise<void> | null = null

export function useCatalogue() {
  if (!pending) {
    pending = ok(api.GET('/api/v1/catalog'))
      .then((answer) => { categories.value = answer.categories ?? [] })
      .catch(() => { pending = null }) // names fall back to codes; asked again next time
  }
  return categories
}
