// 我要当志愿者: the public form's rules, kept apart from the page so they are tested alone.
// The same limits as identity's RegisterInterestSchema (name 1–100, mainland mobile, a
// 12-digit community of the province, skills ≤ 500, notes ≤ 1000): the form says what is
// wrong before sending, and identity checks again.
import type { Schemas } from '@/api/client'

export interface JoinForm {
  name: string
  phone: string
  regionCode: string
  skills: string
  notes: string
}

export type JoinProblem = 'name' | 'phone' | 'region' | 'skills' | 'notes'

export const MOBILE = /^1[3-9]\d{9}$/
export const COMMUNITY = /^13\d{7}(?!000)\d{3}$/
export const LIMITS = { name: 100, skills: 500, notes: 1000 }

export function blankJoinForm(): JoinForm {
  return { name: '', phone: '', regionCode: '', skills: '', notes: '' }
}

/** What is wrong with the form, field by field, in the form's order (empty: it may be sent). */
export function joinProblems(form: JoinForm): JoinProblem[] {
  const problems: JoinProblem[] = []
  const name = form.name.trim()
  if (!name || name.length > LIMITS.name) problems.push('name')
  if (!MOBILE.test(form.phone.trim())) problems.push('phone')
  if (!COMMUNITY.test(form.regionCode)) problems.push('region')
  if (form.skills.trim().length > LIMITS.skills) problems.push('skills')
  if (form.notes.trim().length > LIMITS.notes) problems.push('notes')
  return problems
}

/** The body of POST /api/v1/volunteer-interest (optional texts left out when empty). */
export function joinBody(form: JoinForm): Schemas['IdentityRegisterInterest'] {
  return {
    name: form.name.trim(), phone: form.phone.trim(), region_code: form.regionCode,
    skills: form.skills.trim() || null, notes: form.notes.trim() || null,
  }
}

/** The levels a resident picks their community through, under the province. */
export const PICK_LEVELS = ['city', 'county', 'township', 'community'] as const
export type PickLevel = (typeof PICK_LEVELS)[number]

/** After choosing ``code`` at ``level``, the choices below it are cleared. */
export function clearBelow(picked: Record<PickLevel, string>, level: PickLevel): Record<PickLevel, string> {
  const index = PICK_LEVELS.indexOf(level)
  const next = { ...picked }
  for (const below of PICK_LEVELS.slice(index + 1)) next[below] = ''
  return next
}
