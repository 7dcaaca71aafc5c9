// Pure logic of the volunteer's screens (unit-tested in view-models.test.ts).
import type { Assignment, Category, Demand } from './types'

/** A category's name in the reader's language; the code when the catalogue does not know it. */
export function categoryName(code: string | null | undefined, catalogue: readonly Category[], locale: string): string {
  if (!code) return '—'
  const found = catalogue.find((c) => c.code === code)
  if (!found) return code
  return (locale.startsWith('zh') ? found.name_zh : found.name_en || found.name_zh) ?? code
}

/** "0.4 km" / "850 m" from the feed's kilometres; null when matching gave none. */
export function formatDistance(km: number | null | undefined): string | null {
  if (km === null || km === undefined || Number.isNaN(km)) return null
  if (km < 1) return `${Math.max(10, Math.round((km * 1000) / 10) * 10)} m`
  return `${km.toFixed(1)} km`
}

/** This volunteer's assignment on a demand (the live one first). */
export function myAssignment(demand: Demand, volunteerId: string): Assignment | null {
  const mine = (demand.assignments ?? []).filter((a) => a.volunteer_id === volunteerId)
  return mine.find((a) => !a.ended_at) ?? mine[0] ?? null
}

export type NextStep = 'check_in' | 'check_out' | 'await_record' | 'recorded' | 'ended'

/** What the volunteer can do next on a service, from their assignment's status. */
export function nextStep(assignment: Assignment | null): NextStep {
  if (!assignment || assignment.ended_at) return 'ended'
  switch (assignment.status) {
    case 'assigned': return 'check_in'
    case 'in_service': return 'check_out'
    case 'awaiting_record': return 'await_record'
    case 'recorded': return 'recorded'
    default: return 'ended'
  }
}

export interface ServiceRow { id: string; demand: Demand; assignment: Assignment; step: NextStep }

const STEP_ORDER: Record<NextStep, number> = { check_out: 0, check_in: 1, await_record: 2, recorded: 3, ended: 4 }

/** Demands from several status lists → this volunteer's services, without repeats: those to act
 *  on first (checked in, then to check in), each group by start time. */
export function myServices(lists: readonly Demand[][], volunteerId: string): ServiceRow[] {
  const seen = new Set<string>()
  const rows: ServiceRow[] = []
  for (const demand of lists.flat()) {
    const id = demand.demand_id ?? ''
    if (seen.has(id)) continue
    seen.add(id)
    const assignment = myAssignment(demand, volunteerId)
    if (!assignment) continue
    rows.push({ id, demand, assignment, step: nextStep(assignment) })
  }
  return rows.sort((a, b) => STEP_ORDER[a.step] - STEP_ORDER[b.step]
    || (a.demand.window_start ?? '').localeCompare(b.demand.window_start ?? ''))
}

/** A recorded place {lat, lng} as "38.05870, 114.54120"; null when none was sent. */
export function formatPlace(location: Record<string, unknown> | null | undefined): string | null {
  if (!location) return null
  const lat = Number(location.lat)
  const lng = Number(location.lng)
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return null
  return `${lat.toFixed(5)}, ${lng.toFixed(5)}`
}

export interface StarProgress { level: number; next: number | null; percent: number; minutesToGo: number }

/** Progress from the current star to the next, from cumulative service minutes and the
 *  ledger's thresholds (hours, ascending). */
export function starProgress(serviceMinutes: number, thresholdsHours: readonly number[]): StarProgress {
  const sorted = [...thresholdsHours].sort((a, b) => a - b)
  const level = sorted.filter((h) => serviceMinutes >= h * 60).length
  const nextHours = sorted[level]
  if (nextHours === undefined) return { level, next: null, percent: 100, minutesToGo: 0 }
  const from = level ? sorted[level - 1] * 60 : 0
  const to = nextHours * 60
  const percent = Math.min(100, Math.max(0, Math.floor(((serviceMinutes - from) / (to - from)) * 100)))
  return { level, next: level + 1, percent, minutesToGo: to - serviceMinutes }
}

/** Hours and minutes typed in a form → whole minutes, or an error key. */
export function minutesFromForm(hours: number | null | undefined, minutes: number | null | undefined,
                                available?: number): { minutes: number } | { error: 'required' | 'whole' | 'tooMuch' } {
  const h = hours ?? 0
  const m = minutes ?? 0
  if (!Number.isInteger(h) || !Number.isInteger(m) || h < 0 || m < 0 || m > 59) return { error: 'whole' }
  const total = h * 60 + m
  if (total < 1) return { error: 'required' }
  if (available !== undefined && total > available) return { error: 'tooMuch' }
  return { minutes: total }
}

/** A new Idempotency-Key: one per form, kept across retries of the same submission. */
export function newIdempotencyKey(random: () => string = () => globalThis.crypto.randomUUID()): string {
  return `console-${random()}`
}

/** "HH:MM" (24 h) or an empty string. */
export function validTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value)
}

/** Quiet hours from the form: null (none), the pair, or an error when only one is given or
 *  one is not a time. */
export function quietHours(start: string, end: string): { start: string; end: string } | null | 'invalid' {
  if (!start && !end) return null
  if (!validTime(start) || !validTime(end) || start === end) return 'invalid'
  return { start, end }
}

/** A statement amount with its sign: "+1 小时" / "-30 分钟". */
export function signed(text: string, amount: number): string {
  return amount > 0 ? `+${text}` : text
}
