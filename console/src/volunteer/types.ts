// Answers the gateway serves without a schema in openapi.json (their shapes come from the
// services' contracts: matching FeedOut, notify InboxPage). Everything else is typed from the
// generated schema.
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

export type ReasonText = Schemas['IdentityReasonText']
export type Eligibility = Schemas['IdentityEligibilityOut']
export type RelativeLink = Schemas['IdentityLinkOut']
export type RelativesList = Schemas['IdentityRelativesList']
export type InterestReceipt = Schemas['IdentityInterestReceipt']
export type RegionOut = Schemas['IdentityRegionOut']
