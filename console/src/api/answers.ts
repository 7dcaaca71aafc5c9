// Answers the OpenAPI document leaves untyped (their gateway routes declare no response schema
// yet: issue 15), written once here from the owning service's contracts, and the one cast that
// reads them. When a route gains its schema, use the generated type and drop the shape here.
import { ok } from './client'

/** ``ok(...)`` for a route whose answer the document does not type, as the shape given. */
export async function okAs<T>(pending: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  return (await ok(pending)) as T
}

/** A reason in both languages (identity's eligibility reasons). */
export interface ReasonText { code: string; zh: string; en: string }

/** identity.contracts.EligibilityOut: ``GET /api/v1/volunteers/{id}/eligibility``. */
export interface EligibilityOut {
  person_id: string
  region_code: string
  eligible: boolean
  reasons: ReasonText[]
  training_hours: number
  required_hours: number
  volunteer_number: string | null
  registry_status: string
  screening: string
  health_declared: boolean
  background_tags: string[]
}
