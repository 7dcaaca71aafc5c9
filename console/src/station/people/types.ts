// The shapes identity's people routes answer. The gateway's OpenAPI document does not describe
// these answers (the routes in gateway/routes/people.py declare no response schema), so they are
// written here from identity's contracts (services/identity/identity/contracts/people.py,
// volunteers.py, relations.py). Request bodies and every other answer come from the schema.

export type { ReasonText, EligibilityOut } from '@/api/answers'

export interface Names { zh: string; en: string }

export interface MaskedPerson {
  person_id: string
  name: string
  sex: string
  birth_date: string
  age: number
  region_code: string
  phone_masked: string | null
  id_number_masked: string
  status: string
}

export interface Unmasked {
  id_number?: string
  phone?: string | null
  address?: string | null
  emergency_contact_name?: string | null
  emergency_contact_phone?: string | null
}

export interface ElderListItem extends MaskedPerson { phone_only: boolean; carrier_id: string | null }
export interface VolunteerListItem extends MaskedPerson { volunteer_number: string | null; eligible: boolean }

export interface Page<T> { items: T[]; total: number; page: number; page_size: number }

export interface ProxyOut {
  person_id: string
  name: string
  kind: string | null
  kind_name: Names | null
  note: string | null
  set_by: string | null
  set_at: string
}

export interface MoveOut {
  move_id: string
  from_region_code: string
  to_region_code: string
  reason: string
  moved_at: string
}

export interface ElderOut extends MaskedPerson, Unmasked {
  phone_only: boolean
  emergency_contact_phone_masked: string | null
  carrier_id: string | null
  priority_categories: string[]
  proxies: ProxyOut[]
  longitude?: number | null
  latitude?: number | null
  moves?: MoveOut[]
}

export interface PersonOut extends MaskedPerson, Unmasked {
  profiles: string[]
  volunteer_number: string | null
  created_at: string | null
  moves?: MoveOut[]
}

export interface QualificationOut {
  qualification_id: string
  kind: string
  kind_name: Names
  number: string
  issuer: string
  valid_until: string
  status: string
  valid: boolean
  reason: string | null
}

export interface QualificationList { person_id: string; items: QualificationOut[] }

export interface ReviewFields {
  evidence: string | null
  status: string
  submitted_by: string | null
  submitted_at: string | null
  verified_by: string | null
  verified_at: string | null
  reason: string | null
}

export interface LinkOut extends ReviewFields {
  link_id: string
  person_id: string
  relative_person_id: string
  relative_name: string | null
  kind: string
  kind_name: Names
}

export interface RelativesList { person_id: string; items: LinkOut[] }

export interface PriorityOut extends ReviewFields { person_id: string; category: string; category_name: Names }

export interface ElderProxies { elder_id: string; proxies: ProxyOut[] }
