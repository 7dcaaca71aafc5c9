// The shapes of the supervision answers the gateway does not declare in its OpenAPI document
// (GET /api/v1/regions, /api/v1/audit): written from what the services answer (identity
// app/regions, app/audit.py). Only the fields the screens read. GET /api/v1/stats is typed
// from the generated schema (SupervisionStatsOut); its child rows are read as below.

export interface Region {
  code: string
  name: string
  level: string
  parent_code: string | null
}

export interface IdentityChild {
  region_code: string
  name: string | null
  volunteers_registered: number
  volunteers_eligible: number
  volunteers_active: number
  elders_registered: number
  carriers: number
  station_operators: number
}

export interface LedgerMinutes {
  deposited_minutes: number
  spent_minutes: number
  gifted_minutes: number
  donated_minutes: number
  granted_minutes: number
  allocated_minutes?: number
  reversed_minutes?: number
}

export interface LedgerChild extends LedgerMinutes {
  region_code: string
  name: string | null
}

/** identity's audit entry, from the OpenAPI document. */
export type AuditEntry = import('@/api/client').Schemas['IdentityAuditEntry']

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}
