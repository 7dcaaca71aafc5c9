// Pure logic of 长辈模式: what the pages show, computed from the API's answers (tested in
// view.test.ts). No Vue, no fetch here.
import type { Schemas } from '@/api/client'
import { chinaInstant, chinaToday } from '@/format'

export type Category = Schemas['DemandCategoryAdminOut']

// The API's answers declare every field optional: the pages use these view models instead,
// mapped once with the defaults filled in.
export interface ServiceRecord {
  recordId: string
  volunteerId: string
  status: string
  minutes: number
  confirmed: boolean
}

export interface Service {
  id: string
  category: string
  description: string
  status: string
  windowStart: string
  windowEnd: string
  volunteers: { id: string; name: string }[]
  records: ServiceRecord[]
}

export interface Balance {
  earned: number
  grant: number
  reserved: number
  available: number
}

export function toRecord(record: Schemas['DemandRecordOut']): ServiceRecord {
  return { recordId: record.record_id ?? '', volunteerId: record.volunteer_id ?? '',
           status: record.status ?? '', minutes: record.corrected_minutes ?? record.minutes ?? 0,
           confirmed: Boolean(record.confirmed_at || record.confirmation) }
}

export function toService(item: Schemas['ElderServiceOut']): Service {
  return {
    id: item.demand_id ?? '', category: item.category ?? '', description: item.description ?? '',
    status: item.status ?? '',
    windowStart: item.window_start ?? '', windowEnd: item.window_end ?? '',
    volunteers: (item.volunteers ?? []).map((v) => ({ id: v.volunteer_id, name: v.name_masked })),
    records: (item.records ?? []).map(toRecord),
  }
}

export function toBalance(answer: Schemas['LedgerBalanceOut']): Balance {
  const earned = answer.earned_minutes ?? 0
  const grant = answer.grant_minutes ?? 0
  const reserved = answer.reserved_minutes ?? 0
  return { earned, grant, reserved, available: answer.available_minutes ?? earned + grant - reserved }
}

/** Demands still to come: not yet over, not cancelled or rejected; soonest first. */
export const UPCOMING = ['submitted', 'published', 'assigned', 'in_service']

export function upcomingServices(items: readonly Service[], now: Date = new Date()): Service[] {
  return items
    .filter((s) => UPCOMING.includes(s.status) && new Date(s.windowEnd).getTime() > now.getTime())
    .sort((a, b) => new Date(a.windowStart).getTime() - new Date(b.windowStart).getTime())
}

/** A service that happened, as the confirm page shows it: what waits for the elder's word
 *  (confirm), who can be rated, and what the station is still checking. */
export interface ServiceToFinish {
  service: Service
  toConfirm: ServiceRecord[]
  toRate: ServiceRecord[]
  beingChecked: ServiceRecord[]
}

export function servicesToFinish(items: readonly Service[]): ServiceToFinish[] {
  const out: ServiceToFinish[] = []
  for (const service of items) {
    if (service.status !== 'recorded' && service.status !== 'awaiting_record') continue
    const records = service.records
    // the elder may confirm while the station still checks a held record
    const toConfirm = records.filter((r) => r.status === 'awaiting_confirmation' || (r.status === 'held' && !r.confirmed))
    const toRate = records.filter((r) => r.status === 'sent')
    const beingChecked = records.filter((r) => r.status === 'held' && r.confirmed)
    if (toConfirm.length || toRate.length || beingChecked.length) {
      out.push({ service, toConfirm, toRate, beingChecked })
    }
  }
  return out.sort((a, b) => new Date(b.service.windowStart).getTime() - new Date(a.service.windowStart).getTime())
}

/** The three big rating buttons and the score each stands for (1–5 in the API). */
export const RATINGS = [
  { key: 'good', score: 5 },
  { key: 'fair', score: 3 },
  { key: 'poor', score: 1 },
] as const
export type RatingKey = (typeof RATINGS)[number]['key']

export function scoreOf(key: RatingKey): number {
  return RATINGS.find((r) => r.key === key)!.score
}

/** The masked name of a volunteer on a service, or null while nobody is assigned. */
export function volunteerNames(service: Service): string | null {
  const names = service.volunteers.map((v) => v.name)
  return names.length ? names.join('、') : null
}

export function volunteerName(service: Service, volunteerId: string): string {
  return service.volunteers.find((v) => v.id === volunteerId)?.name ?? '*'
}

export { categoryName } from '@/catalogue'

// --- asking for a service -------------------------------------------------------------------

/** The parts of the day offered, in China time. */
export const DAY_PARTS = [
  { key: 'morning', start: '09:00', end: '12:00' },
  { key: 'afternoon', start: '14:00', end: '17:00' },
  { key: 'evening', start: '18:00', end: '20:00' },
] as const
export type DayPartKey = (typeof DAY_PARTS)[number]['key']

/** The next `count` China dates from today ("2026-12-07", ...). */
export function nextDays(count = 7, now: Date = new Date()): string[] {
  const today = chinaToday(now)
  const [y, m, d] = today.split('-').map(Number)
  const days: string[] = []
  for (let i = 0; i < count; i += 1) {
    const day = new Date(Date.UTC(y, m - 1, d + i))
    days.push(day.toISOString().slice(0, 10))
  }
  return days
}

/** The window of a day part on a China date, as ISO instants with +08:00. */
export function windowOf(day: string, part: DayPartKey): { start: string; end: string } {
  const found = DAY_PARTS.find((p) => p.key === part)!
  return { start: chinaInstant(day, found.start), end: chinaInstant(day, found.end) }
}

/** A part of the day can still be asked for when it has not ended yet. */
export function dayPartOpen(day: string, part: DayPartKey, now: Date = new Date()): boolean {
  return new Date(windowOf(day, part).end).getTime() > now.getTime() + 30 * 60000
}

/** How the elder pays: own earned hours, the government's grant hours, or the city's
 *  public hours (they pay nothing). */
export type Payment = 'own_hours' | 'grant' | 'issuance'

/** Whether the chosen source covers the service (the public hours always do). */
export function paymentCovers(payment: Payment, minutes: number, balance: Balance | null): boolean {
  if (payment === 'issuance') return true
  return availableFor(payment, balance) >= minutes
}

/** What a source can still pay (own hours: earned less what is set aside). */
export function availableFor(payment: Payment, balance: Balance | null): number {
  if (!balance) return 0
  if (payment === 'grant') return Math.max(0, Math.min(balance.grant, balance.available))
  return Math.max(0, Math.min(balance.earned, balance.available - balance.grant))
}

export interface AskDraft {
  category: string | null
  day: string | null
  part: DayPartKey | null
  payment: Payment | null
  address: string
}

/** What is still missing, as message keys of `elder.ask.missing.*` (empty: ready to send). */
export function missingForAsk(draft: AskDraft): string[] {
  const missing: string[] = []
  if (!draft.category) missing.push('category')
  if (!draft.day || !draft.part) missing.push('time')
  if (!draft.payment) missing.push('payment')
  if (!draft.address.trim()) missing.push('address')
  return missing
}
