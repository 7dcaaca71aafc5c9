// The volunteer's answers, typed from the generated schema (console/openapi.json).
import type { Schemas } from '@/api/client'

export type Demand = Schemas['DemandOut']
export type Assignment = Schemas['DemandAssignmentOut']
export type Category = Schemas['DemandCategoryAdminOut']

export type FeedItem = Schemas['MatchingFeedItem']
export type InboxMessage = Schemas['NotifyMessageView']
export type InboxPage = Schemas['NotifyInboxPage']

export type ReasonText = Schemas['IdentityReasonText']
export type Eligibility = Schemas['IdentityEligibilityOut']
export type RelativeLink = Schemas['IdentityLinkOut']
export type RelativesList = Schemas['IdentityRelativesList']
export type InterestReceipt = Schemas['IdentityInterestReceipt']
export type RegionOut = Schemas['IdentityRegionOut']
