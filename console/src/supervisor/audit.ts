// The audit log's filters as the API's query, and an entry's words.
import { chinaInstant } from '@/format'
import type { AuditEntry } from './types'

export interface AuditFilters {
  action: string
  targetType: string
  regionCode: string
  since: string | null // China date, "2026-12-07"
  until: string | null // China date, included
}

export interface AuditQuery {
  page: number
  page_size: number
  action?: string
  target_type?: string
  region_code?: string
  since?: string
  until?: string
}

/** The day after a China date ("2026-12-31" → "2027-01-01"). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number)
  const next = new Date(Date.UTC(y, m - 1, d + 1))
  return next.toISOString().slice(0, 10)
}

/** Empty filters are left out; dates are China days, the "until" day included. */
export function auditQuery(filters: AuditFilters, page: number, pageSize: number): AuditQuery {
  const query: AuditQuery = { page, page_size: pageSize }
  if (filters.action.trim()) query.action = filters.action.trim()
  if (filters.targetType.trim()) query.target_type = filters.targetType.trim()
  if (filters.regionCode.trim()) query.region_code = filters.regionCode.trim()
  if (filters.since) query.since = chinaInstant(filters.since, '00:00')
  if (filters.until) query.until = chinaInstant(nextDay(filters.until), '00:00')
  return query
}

/** Whether the region filter is empty or a 12-digit code. */
export function regionFilterValid(code: string): boolean {
  return !code.trim() || /^\d{12}$/.test(code.trim())
}

/** Who acted: a person (short id), a municipal system, or the system itself. */
export function actorOf(entry: AuditEntry): { kind: 'person' | 'client' | 'system'; id: string } {
  if (entry.actor_person_id) return { kind: 'person', id: entry.actor_person_id.slice(0, 8) }
  if (entry.actor_client_id) return { kind: 'client', id: entry.actor_client_id }
  return { kind: 'system', id: '' }
}

/** A snapshot as indented JSON for the expanded row ("—" when there is none). */
export function snapshot(value: unknown): string {
  if (value === null || value === undefined) return '—'
  return JSON.stringify(value, null, 2)
}
