// The volunteer's answers, typed from the generated schema; identity's EligibilityOut and
// RelativesList are still written by hand (their routes declare no response schema yet).
import type { Schemas } from '@/api/client'

export type Demand = Schemas['DemandOut']
export type Assignment = Schemas['DemandAssignmentOut']
export type Category = Schemas['DemandCategoryAdminOut']

export type FeedItem = Schemas['MatchingFeedItem']
export type InboxMessage = Schemas['NotifyMessageView']
export type InboxPage = Schemas['NotifyInboxPage']

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
