// Phone intake: checking what the operator typed (the elder to register, the demand to take)
// before it is sent, and turning it into the API's bodies. Errors are message keys
// (station.desk.errors.*); the service checks again and its answer is shown as it comes.
import type { Schemas } from '@/api/client'
import { chinaInstant } from '@/format'

export type FundingSource = 'issuance' | 'own_hours' | 'grant' | 'donation_pool'
export const FUNDING_SOURCES: FundingSource[] = ['issuance', 'own_hours', 'grant', 'donation_pool']

/** Whether a source draws on the elder's own balance (checked at review; a shortfall then
 *  needs a reason, and the city's public hours pay the rest). */
export function drawsOnElder(source: FundingSource): boolean {
  return source === 'own_hours' || source === 'grant'
}

export const MOBILE = /^1[3-9]\d{9}$/

export interface ElderForm {
  name: string
  idNumber: string
  phone: string
  phoneOnly: boolean
  address: string
  regionCode: string
  emergencyName: string
  emergencyPhone: string
}

export type Errors = Record<string, string>

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** GB 11643: 17 digits and a check character (0-9 or X). */
export function idNumberProblem(id: string): string | null {
  const value = id.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(value)) return 'idNumber'
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(value[i]), 0)
  return ID_CHECK[sum % 11] === value[17] ? null : 'idChecksum'
}

/** Age in whole years on `today` ("2026-12-07") from an ID number's birth date. */
export function ageFromIdNumber(id: string, today: string): number | null {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})/.exec(id.trim())
  if (!m) return null
  const [ty, tm, td] = today.split('-').map(Number)
  let age = ty - Number(m[1])
  if (tm < Number(m[2]) || (tm === Number(m[2]) && td < Number(m[3]))) age -= 1
  return age
}

export function checkElder(form: ElderForm, today: string): Errors {
  const errors: Errors = {}
  if (!form.name.trim()) errors.name = 'name'
  const idProblem = idNumberProblem(form.idNumber)
  if (idProblem) errors.idNumber = idProblem
  else if ((ageFromIdNumber(form.idNumber, today) ?? 0) < 60) errors.idNumber = 'under60'
  if (form.phone.trim() && !MOBILE.test(form.phone.trim())) errors.phone = 'phone'
  if (!/^\d{12}$/.test(form.regionCode)) errors.regionCode = 'region'
  if (form.emergencyPhone.trim() && !MOBILE.test(form.emergencyPhone.trim())) errors.emergencyPhone = 'phone'
  return errors
}

export function elderBody(form: ElderForm, carrierId: string | null): Schemas['IdentityRegisterElder'] {
  const optional = (value: string) => (value.trim() ? value.trim() : null)
  return {
    name: form.name.trim(),
    id_number: form.idNumber.trim().toUpperCase(),
    phone: optional(form.phone),
    phone_only: form.phoneOnly,
    address: optional(form.address),
    region_code: form.regionCode,
    emergency_contact_name: optional(form.emergencyName),
    emergency_contact_phone: optional(form.emergencyPhone),
    carrier_id: carrierId,
    initial_password: null,
  }
}

export interface DemandForm {
  category: string
  date: string // China date, "2026-12-07"
  start: string // "09:30"
  end: string
  expectedMinutes: number
  volunteersNeeded: number
  address: string
  description: string
  channel: 'phone' | 'station'
  funding: FundingSource
}

export function checkDemand(form: DemandForm, now: Date = new Date()): Errors {
  const errors: Errors = {}
  if (!form.category) errors.category = 'category'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date)) errors.date = 'date'
  if (!/^\d{2}:\d{2}$/.test(form.start) || !/^\d{2}:\d{2}$/.test(form.end)) errors.time = 'time'
  if (!Number.isInteger(form.expectedMinutes) || form.expectedMinutes < 15 || form.expectedMinutes > 480) errors.expectedMinutes = 'minutes'
  if (!Number.isInteger(form.volunteersNeeded) || form.volunteersNeeded < 1 || form.volunteersNeeded > 50) errors.volunteersNeeded = 'volunteers'
  if (!form.address.trim()) errors.address = 'address'
  if (!form.description.trim()) errors.description = 'description'
  if (!errors.date && !errors.time) {
    const start = new Date(chinaInstant(form.date, form.start))
    const end = new Date(chinaInstant(form.date, form.end))
    if (end <= start) errors.time = 'order'
    else if (start <= now) errors.time = 'past'
    else if (!errors.expectedMinutes && (end.getTime() - start.getTime()) / 60000 < form.expectedMinutes) errors.time = 'tooShort'
  }
  return errors
}

/** The elder's home as a demand's place (for matching's distances), when identity knows it. */
export function homeOf(elder: { latitude?: number | null; longitude?: number | null }): { lat: number; lng: number } | null {
  const { latitude, longitude } = elder
  return typeof latitude === 'number' && typeof longitude === 'number' ? { lat: latitude, lng: longitude } : null
}

export function demandBody(form: DemandForm, elderId: string, location: { lat: number; lng: number } | null = null): Schemas['DemandSubmit'] {
  return {
    elder_id: elderId,
    category: form.category,
    description: form.description.trim(),
    address: form.address.trim(),
    window_start: chinaInstant(form.date, form.start),
    window_end: chinaInstant(form.date, form.end),
    expected_minutes: form.expectedMinutes,
    volunteers_needed: form.volunteersNeeded,
    channel: form.channel,
    funding_source: form.funding,
    location,
  }
}

/** "HH:MM" a number of minutes after "HH:MM" (clamped to 23:59), for the default end time. */
export function addToTime(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number)
  const total = Math.min(h * 60 + m + minutes, 23 * 60 + 59)
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`
}
