// Answers the gateway serves without a schema in openapi.json (their shapes come from the
// services' contracts: matching FeedOut, notify InboxPage, identity EligibilityOut and
// RelativesList). Everything else is typed from the generated schema.
import type { Schemas } from '@/api/client'

export type Demand = Schemas['DemandOut']
export type Assignment = Schemas['DemandAssignmentOut']
export type Category = Schemas['DemandCategoryAdminOut']

/** matching.contracts.FeedItem */
export interface FeedItem {
  demand_id: string
  category: string
  region_code: string
  window_start: string
  window_end: string
  expected_minutes: number
  open_slots: number
  priority_elder?: boolean | null
  distance_km?: number | null
}

/** notify.contracts.MessageView */
export interface InboxMessage {
  id: string
  kind: string
  title: string
  body: string
  title_en?: string | null
  body_en?: string | null
  data?: Record<string, unknown>
  created_at: string
  read_at: string | null
}

export interface InboxPage {
  items: InboxMessage[]
  total: number
  unread: number
}

export type { ReasonText, EligibilityOut as Eligibility } from '@/api/answers'

/** identity.contracts.LinkOut */
export interface RelativeLink {
  link_id: string
  person_id: string
  relative_person_id: string
  relative_name: string | null
  kind: string
  kind_name: { zh: string; en: string }
  status: string
}

export interface RelativesList { person_id: string; items: RelativeLink[] }
