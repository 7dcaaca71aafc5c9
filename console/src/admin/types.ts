// identity's answers to the admin screens, from the gateway's OpenAPI document.
import type { Schemas } from '@/api/client'

export type Operator = Schemas['IdentityOperatorOut']
export type OperatorPage = Schemas['IdentityOperatorPage']
export type ApiClient = Schemas['IdentityApiClientOut']
export type Carrier = Schemas['IdentityCarrierOut']
