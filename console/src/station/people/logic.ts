// Pure helpers of the station's people and follow-up screens (tested in logic.test.ts).
import type { ReasonText } from './types'

export type SearchKind = 'phone' | 'id_number' | 'q'

/** One search box for people: an 11-digit mobile number, an ID number (15 or 18 characters,
 *  the last may be X), or else the start of a name. */
export function searchKind(text: string): SearchKind | null {
  const value = text.trim()
  if (!value) return null
  if (/^1[3-9]\d{9}$/.test(value)) return 'phone'
  if (/^\d{15}$/.test(value) || /^\d{17}[\dXx]$/.test(value)) return 'id_number'
  return 'q'
}

export interface PeopleFilter {
  text: string
  status: string
  category?: string
  eligible?: '' | 'yes' | 'no'
}

/** The query of GET /api/v1/elders or /volunteers for a filter and page. */
export function peopleQuery(filter: PeopleFilter, page: number, pageSize: number): Record<string, string | number | boolean> {
  const query: Record<string, string | number | boolean> = { page, page_size: pageSize }
  const kind = searchKind(filter.text)
  if (kind) query[kind] = kind === 'id_number' ? filter.text.trim().toUpperCase() : filter.text.trim()
  if (filter.status) query.status = filter.status
  if (filter.category) query.category = filter.category
  if (filter.eligible === 'yes') query.eligible = true
  if (filter.eligible === 'no') query.eligible = false
  return query
}

/** A reason ({code, zh, en}) in the reader's language. */
export function reasonText(reason: ReasonText, locale: string): string {
  return locale.startsWith('zh') ? reason.zh || reason.en : reason.en || reason.zh
}

/** A code's bilingual name ({zh, en}) in the reader's language. */
export function nameIn(names: { zh: string; en: string } | null | undefined, locale: string): string {
  if (!names) return '—'
  return locale.startsWith('zh') ? names.zh : names.en
}

/** Element Plus tag type of a standing, a review status or a task status (never the only cue:
 *  the tag shows the word too). */
export function statusTag(status: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (status) {
    case 'active': case 'verified': case 'done': case 'resolved': case 'clear': return 'success'
    case 'pending': case 'open': case 'in_review': case 'unverified': case 'unknown': return 'warning'
    case 'rejected': case 'flagged': case 'deceased': return 'danger'
    default: return 'info'
  }
}

/** Training hours done toward the required ones, as a percentage 0–100. */
export function trainingPercent(done: number, required: number): number {
  if (required <= 0) return 100
  return Math.max(0, Math.min(100, Math.round((done / required) * 100)))
}

/** A reason the API requires: 1 to 500 characters once trimmed. */
export function reasonOk(text: string | null | undefined): boolean {
  const value = (text ?? '').trim()
  return value.length >= 1 && value.length <= 500
}

/** A community (village) code of Hebei: 12 digits starting 13, the last three not 000. */
export function isCommunityCode(code: string): boolean {
  return /^13\d{10}$/.test(code) && !code.endsWith('000')
}

/** A mainland mobile number (the API's MOBILE rule). */
export function isMobile(text: string): boolean {
  return /^1[3-9]\d{9}$/.test(text.trim())
}

/** Which fields of an elder's correction changed: only those go in the PATCH body. */
export function changedFields<T extends Record<string, unknown>>(before: Partial<T>, after: T): Partial<T> {
  const changed: Partial<T> = {}
  for (const key of Object.keys(after) as (keyof T)[]) {
    const now = typeof after[key] === 'string' ? (after[key] as string).trim() : after[key]
    const was = before[key] ?? ''
    if ((now ?? '') !== was) changed[key] = (now === '' ? null : now) as T[keyof T]
  }
  return changed
}

/** What a dispute's resolution form refuses before the API does. */
export function resolutionProblem(outcome: string, minutes: number | null, recorded: number | null,
                                  reason: string): 'outcome' | 'minutes' | 'reason' | null {
  if (!['upheld', 'minutes_adjusted', 'voided'].includes(outcome)) return 'outcome'
  if (outcome === 'minutes_adjusted') {
    if (minutes === null || !Number.isInteger(minutes) || minutes < 0) return 'minutes'
    if (recorded !== null && minutes >= recorded) return 'minutes'
  }
  if (!reasonOk(reason)) return 'reason'
  return null
}

/** Call outcomes that close a call task (the others keep it on the list). */
export function outcomeCloses(outcome: string): boolean {
  return outcome === 'reached' || outcome === 'wrong_number'
}

/** The default period of a certificate: 1 January of this China year to today. */
export function defaultPeriod(today: string): [string, string] {
  return [`${today.slice(0, 4)}-01-01`, today]
}

/** A period the ledger accepts: both ISO dates, from not after to, to not after today. */
export function periodProblem(from: string, to: string, today: string): 'missing' | 'order' | 'future' | null {
  const iso = /^\d{4}-\d{2}-\d{2}$/
  if (!iso.test(from) || !iso.test(to)) return 'missing'
  if (from > to) return 'order'
  if (to > today) return 'future'
  return null
}

/** A certificate number as typed (spaces and case forgiven). */
export function normaliseCertificateNumber(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase()
}

/** The file name a downloaded certificate is saved under. */
export function certificateFileName(number: string): string {
  return `service-certificate-${number.replace(/[^A-Za-z0-9-]/g, '')}.pdf`
}

/** Whether a staff scope decides disputes: township level or above (a scope ending in 000;
 *  a community's station staff only open and comment on them). */
export function decidesDisputes(scope: string | null | undefined): boolean {
  return !!scope && /^\d{9}000$/.test(scope)
}

/** A short form of an id for a table cell (the first 8 characters). */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—'
}

/** The station's volunteer registration form (POST /api/v1/volunteers). */
export interface VolunteerForm {
  name: string
  idNumber: string
  phone: string
  regionCode: string
  password: string
  volunteerNumber: string
}

export type VolunteerProblem = 'name' | 'idNumber' | 'phone' | 'region' | 'password'

/** What is wrong with the form, in its order (identity checks the ID number's digits again). */
export function volunteerProblems(form: VolunteerForm): VolunteerProblem[] {
  const problems: VolunteerProblem[] = []
  if (!form.name.trim() || form.name.trim().length > 100) problems.push('name')
  if (!/^\d{17}[\dXx]$/.test(form.idNumber.trim())) problems.push('idNumber')
  if (!/^1[3-9]\d{9}$/.test(form.phone.trim())) problems.push('phone')
  if (!/^13\d{7}(?!000)\d{3}$/.test(form.regionCode.trim())) problems.push('region')
  if (form.password.length < 8 || form.password.length > 128) problems.push('password')
  return problems
}

/** The body of POST /api/v1/volunteers for the form. */
export function volunteerBody(form: VolunteerForm) {
  return {
    name: form.name.trim(), id_number: form.idNumber.trim().toUpperCase(), phone: form.phone.trim(),
    region_code: form.regionCode.trim(), initial_password: form.password,
    volunteer_number: form.volunteerNumber.trim() || null, address: null,
    // what the station attests is recorded afterwards, on the volunteer's page
    registry_status: null, screening: null, health_declared: false, training_hours_completed: null,
  }
}
