// The volunteer's pages read the shared catalogue (src/catalogue.ts) for category names; when
// it cannot be loaded the names fall back to codes, and the next page asks again.
import { useCatalogue as sharedCatalogue } from '@/catalogue'

export function useCatalogue() {
  const { categories, ready } = sharedCatalogue()
  ready.catch(() => undefined)
  return categories
}
