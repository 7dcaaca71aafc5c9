// The administrator's forms: which staff roles a person may grant (delegation only downward,
// as identity's domain/delegation.py rules), what a form must hold before it is sent, and the
// catalogue edit as only the fields that changed.
import type { Schemas } from '@/api/client'

export const STAFF_ROLES = ['province_admin', 'city_admin', 'county_admin', 'township_admin', 'station_operator', 'auditor'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]
const RANK: Record<string, number> = { province_admin: 4, city_admin: 3, county_admin: 2, township_admin: 1, station_operator: 0 }

/** Roles strictly below the caller's highest admin role, the auditor beside the ladder, and
 *  another province admin only for a province admin. */
export function grantableRoles(roles: readonly string[]): StaffRole[] {
  const ranks = roles.filter((r) => r in RANK && r !== 'station_operator').map((r) => RANK[r])
  if (!ranks.length) return []
  const top = Math.max(...ranks)
  return STAFF_ROLES.filter((role) => {
    if (role === 'auditor') return true
    if (role === 'province_admin') return roles.includes('province_admin')
    return RANK[role] < top
  })
}

export interface OperatorForm {
  name: string
  phone: string
  idNumber: string
  regionCode: string
  role: StaffRole | ''
  scopeCode: string
  carrierId: string
  password: string
}

export type OperatorProblem = 'name' | 'phone' | 'idNumber' | 'regionCode' | 'role' | 'scopeCode' | 'carrierId' | 'password'

const CODE = /^\d{12}$/

export function operatorProblems(form: OperatorForm): OperatorProblem[] {
  const problems: OperatorProblem[] = []
  if (!form.name.trim()) problems.push('name')
  if (!/^1[3-9]\d{9}$/.test(form.phone.trim())) problems.push('phone')
  if (!form.idNumber.trim()) problems.push('idNumber')
  if (!CODE.test(form.regionCode.trim())) problems.push('regionCode')
  if (!form.role) problems.push('role')
  if (form.role === 'station_operator') {
    if (!form.carrierId) problems.push('carrierId')
  } else if (!CODE.test(form.scopeCode.trim())) {
    problems.push('scopeCode')
  }
  if (form.password.length < 8) problems.push('password')
  return problems
}

export function operatorBody(form: OperatorForm): Schemas['IdentityCreateOperator'] {
  const station = form.role === 'station_operator'
  return {
    name: form.name.trim(), phone: form.phone.trim(), id_number: form.idNumber.trim(),
    region_code: form.regionCode.trim(), role: form.role as StaffRole,
    scope_code: station ? null : form.scopeCode.trim(), carrier_id: station ? form.carrierId : null,
    initial_password: form.password, address: null,
  }
}

export type Category = Schemas['DemandCategoryAdminOut']
export type CategoryPatch = Schemas['DemandCategoryUpdate']

export interface CategoryForm {
  name_zh: string
  name_en: string
  default_minutes: number
  professional: boolean
  group_allowed: boolean
  qualifications: string
  sort_order: number
  active: boolean
}

export function categoryForm(category: Category): CategoryForm {
  return {
    name_zh: category.name_zh ?? '', name_en: category.name_en ?? '',
    default_minutes: category.default_minutes ?? 60, professional: !!category.professional,
    group_allowed: !!category.group_allowed, qualifications: (category.qualifications ?? []).join('、'),
    sort_order: category.sort_order ?? 0, active: category.active !== false,
  }
}

/** "护士、执业医师, 律师" → ["护士", "执业医师", "律师"] */
export function parseList(text: string): string[] {
  return text.split(/[、,，;；\s]+/).map((s) => s.trim()).filter(Boolean)
}

/** Only what changed, so the history shows the edit and nothing else. */
export function categoryChanges(before: Category, form: CategoryForm): CategoryPatch {
  const patch: CategoryPatch = {}
  const was = categoryForm(before)
  if (form.name_zh.trim() !== was.name_zh) patch.name_zh = form.name_zh.trim()
  if (form.name_en.trim() !== was.name_en) patch.name_en = form.name_en.trim()
  if (form.default_minutes !== was.default_minutes) patch.default_minutes = form.default_minutes
  if (form.professional !== was.professional) patch.professional = form.professional
  if (form.group_allowed !== was.group_allowed) patch.group_allowed = form.group_allowed
  const quals = parseList(form.qualifications)
  if (quals.join('\u0000') !== (before.qualifications ?? []).join('\u0000')) patch.qualifications = quals
  if (form.sort_order !== was.sort_order) patch.sort_order = form.sort_order
  if (form.active !== was.active) patch.active = form.active
  return patch
}

/** A municipal system is scoped to a city-level unit: a 4-digit prefix, or 辛集 / 定州. */
export function isCityLevel(code: string): boolean {
  const c = code.trim()
  if (!CODE.test(c)) return false
  return /^\d{4}0{8}$/.test(c) || ['130181000000', '130682000000'].includes(c)
}
