// View models of the station's day: the demands and their volunteers as the desk shows them
// (today's services with each volunteer's check-in state, the services waiting to be recorded).
import type { Schemas } from '@/api/client'
import { chinaToday, minutesUntil } from '@/format'

// Typed from the generated schema: the answers' schemas mark the fields always sent required.
export type Assignment = Schemas['DemandAssignmentOut']
export type Demand = Schemas['DemandOut']
export type DemandDetail = Schemas['DemandWithHistoryOut']
export type ServiceRecord = Schemas['DemandRecordOut']

/** A paged list as the gateway answers GET /api/v1/demands, /elders, /volunteers. */
export interface Page<T> { items: T[]; total: number; page: number; page_size: number }

/** A person in GET /api/v1/elders or /volunteers (masked). */
export interface ListedPerson {
  person_id: string
  name: string
  age?: number
  sex?: string
  region_code?: string
  phone_masked?: string | null
  id_number_masked?: string
  phone_only?: boolean
  status?: string
}

export type CheckState = 'waiting' | 'late' | 'in_service' | 'checked_out' | 'recorded' | 'withdrawn' | 'no_show' | 'unassigned'

export interface ServiceRow {
  key: string
  demand: Demand
  assignment: Assignment | null
  state: CheckState
  minutesLate: number
}

/** The check-in state of one volunteer on a demand at `now`. */
export function checkState(demand: Demand, assignment: Assignment | null, now: Date = new Date()): CheckState {
  if (!assignment) return 'unassigned'
  switch (assignment.status) {
    case 'assigned':
      return minutesUntil(demand.window_start, now) < 0 ? 'late' : 'waiting'
    case 'in_service':
      return 'in_service'
    case 'awaiting_record':
      return 'checked_out'
    case 'recorded':
      return 'recorded'
    case 'no_show':
      return 'no_show'
    default:
      return 'withdrawn'
  }
}

/** Whether a demand's window starts on China date `day`. */
export function startsOn(demand: Demand, day: string): boolean {
  return chinaToday(new Date(demand.window_start)) === day
}

/** Today's services: one row per volunteer (withdrawn ones left out), or one row when nobody
 *  is on the demand yet; earliest first. */
export function todayRows(demands: Demand[], now: Date = new Date()): ServiceRow[] {
  const day = chinaToday(now)
  const seen = new Set<string>()
  const rows: ServiceRow[] = []
  for (const demand of demands) {
    if (seen.has(demand.demand_id) || !startsOn(demand, day)) continue
    seen.add(demand.demand_id)
    const active = (demand.assignments ?? []).filter((a) => a.status !== 'withdrawn')
    if (!active.length) rows.push({ key: demand.demand_id, demand, assignment: null, state: 'unassigned', minutesLate: 0 })
    for (const assignment of active) {
      rows.push({
        key: `${demand.demand_id}:${assignment.volunteer_id}`, demand, assignment,
        state: checkState(demand, assignment, now), minutesLate: Math.max(0, -minutesUntil(demand.window_start, now)),
      })
    }
  }
  return rows.sort((a, b) => a.demand.window_start.localeCompare(b.demand.window_start))
}

export interface TodayCounts { total: number; waiting: number; late: number; inService: number; checkedOut: number }

export function countToday(rows: ServiceRow[]): TodayCounts {
  const count = (state: CheckState) => rows.filter((r) => r.state === state).length
  return { total: rows.length, waiting: count('waiting'), late: count('late'), inService: count('in_service'), checkedOut: count('checked_out') }
}

/** The volunteers of a demand whose service can be recorded (checked out, not yet recorded). */
export function recordable(demand: Demand): Assignment[] {
  return (demand.assignments ?? []).filter((a) => a.status === 'awaiting_record')
}

/** Minutes between check-in and check-out (what the evidence shows as presence). */
export function presentMinutes(assignment: Assignment): number | null {
  if (!assignment.checked_in_at || !assignment.checked_out_at) return null
  return Math.round((new Date(assignment.checked_out_at).getTime() - new Date(assignment.checked_in_at).getTime()) / 60000)
}

/** The oldest demand of a list by submission time. */
export function oldest(demands: Demand[]): Demand | null {
  return demands.reduce<Demand | null>((found, d) => (!found || d.created_at < found.created_at ? d : found), null)
}

/** A name for an id: from the names known, else the id's first characters. */
export function nameOf(names: Map<string, string>, id: string | null | undefined): string {
  if (!id) return '—'
  return names.get(id) ?? `${id.slice(0, 8)}…`
}

/** Recorded minutes must be a whole number from 1 to 720 (the demand service's range). */
export function recordMinutesProblem(minutes: number): string | null {
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= 720 ? null : 'recordMinutes'
}

/** The minutes to offer when recording: the time present, else the expected minutes. */
export function suggestedMinutes(demand: Demand, assignment: Assignment): number {
  const present = presentMinutes(assignment)
  return present && present > 0 ? Math.min(present, 720) : demand.expected_minutes
}
