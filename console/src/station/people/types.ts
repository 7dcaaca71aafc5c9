// The shapes identity's people routes answer, from the gateway's OpenAPI document (each route
// declares its response schema: identity's contracts in services/identity/identity/contracts/).
import type { Schemas } from '@/api/client'

export type ReasonText = Schemas['IdentityReasonText']
export type EligibilityOut = Schemas['IdentityEligibilityOut']
export type Names = Schemas['IdentityNames']
export type ElderListItem = Schemas['IdentityElderListItem']
export type VolunteerListItem = Schemas['IdentityVolunteerListItem']
export type MaskedPerson = ElderListItem | VolunteerListItem

export interface Page<T> { items: T[]; total: number; page: number; page_size: number }

export type ProxyOut = Schemas['IdentityProxyOut']
export type MoveOut = Schemas['IdentityMoveOut']
export type ElderOut = Schemas['IdentityElderOut']
export type PersonOut = Schemas['IdentityPersonOut']
export type QualificationOut = Schemas['IdentityQualificationOut']
export type QualificationList = Schemas['IdentityQualificationList']
export type LinkOut = Schemas['IdentityLinkOut']
export type RelativesList = Schemas['IdentityRelativesList']
export type PriorityOut = Schemas['IdentityPriorityOut']
export type ElderProxies = Schemas['IdentityElderProxies']
export type InterestOut = Schemas['IdentityInterestOut']
export type InterestPage = Schemas['IdentityInterestPage']
