// The shapes of the supervision answers the gateway does not declare in its OpenAPI document
// (GET /api/v1/stats, /api/v1/regions, /api/v1/audit): written from what the services answer
// (identity app/statistics.py, ledger domain/statistics.py, demand app/statistics.py,
// identity app/audit.py). Only the fields the screens read.

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

export interface Timing {
  count: number
  median_minutes: number | null
  mean_minutes: number | null
}

export interface StatsAnswer {
  region: string
  period: { from: string | null; to: string | null }
  identity: {
    volunteers: { registered: number; eligible: number; active: number; new_in_period: number | null }
    elders: { registered: number; new_in_period: number | null; with_any_hardship: number; phone_only: number }
    carriers: { total: number }
    station_operators: number
    children: IdentityChild[]
    as_of: string
  }
  ledger: (LedgerMinutes & { liability_minutes: number; pool_minutes: number; children: LedgerChild[] }) | null
  demand: {
    demands: { total: number; by_status: Record<string, number> }
    timing: { submission_to_publication: Timing; submission_to_first_assignment: Timing }
    completion: { completed: number; rate: number | null }
    satisfaction: { evaluations: number; average_score: number | null; low_scores: number }
    disputes: { disputes_opened: number; disputes_resolved: number }
  } | null
  matching: { match_rate: number | null } | null
  unavailable: string[]
}

/** identity's audit entry, from the OpenAPI document. */
export type AuditEntry = import('@/api/client').Schemas['IdentityAuditEntry']

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}
