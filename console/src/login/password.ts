// Changing one's password (修改密码): the client-side checks of the form and when the console
// must send a person to the page. The rules mirror identity's password rules
// (services/identity/identity/domain/passwords.py, applied by check_new_password); the server
// stays the authority: what it refuses (a common password, the birth date...) is shown in its words.
import { isApiError } from '@/api/errors'

export const PASSWORD_RULES = {
  minLength: 8,
  maxLength: 128,
  /** from this length two character classes are enough */
  longLength: 12,
  classesNeeded: 3,
  classesNeededWhenLong: 2,
} as const

/** The gateway's answer (403) to a login whose one-time password is not yet changed. */
export const PASSWORD_CHANGE_REQUIRED = 'password_change_required'

/** The route name of the page. */
export const PASSWORD_ROUTE = 'password'

export type PasswordProblem =
  | 'currentRequired' | 'newRequired' | 'tooShort' | 'tooLong' | 'tooSimple' | 'containsPhone'
  | 'unchanged' | 'repeatRequired' | 'mismatch'

/** Length in characters as the server counts them (code points, not UTF-16 units). */
export function passwordLength(password: string): number {
  return [...password].length
}

/** How many of lower-case letters, upper-case letters, digits and symbols (any other
 *  character, Chinese included) the password holds, as identity counts them. */
export function characterClasses(password: string): number {
  const lower = /[a-z]/.test(password)
  const upper = /[A-Z]/.test(password)
  const digit = /[0-9]/.test(password)
  const symbol = [...password].some((c) => !/^[A-Za-z0-9]$/.test(c))
  return Number(lower) + Number(upper) + Number(digit) + Number(symbol)
}

/** Every rule the new password breaks that the console can check (empty: send it). */
export function newPasswordProblems(password: string, options: { phone?: string | null; current?: string } = {}): PasswordProblem[] {
  if (!password) return ['newRequired']
  const problems: PasswordProblem[] = []
  const length = passwordLength(password)
  if (length < PASSWORD_RULES.minLength) problems.push('tooShort')
  if (length > PASSWORD_RULES.maxLength) problems.push('tooLong')
  const needed = length >= PASSWORD_RULES.longLength ? PASSWORD_RULES.classesNeededWhenLong : PASSWORD_RULES.classesNeeded
  if (characterClasses(password) < needed) problems.push('tooSimple')
  if (options.phone && password.includes(options.phone)) problems.push('containsPhone')
  if (options.current && password === options.current) problems.push('unchanged')
  return problems
}

export interface PasswordForm { current: string; next: string; repeat: string }

/** The form's problems by field; an empty object when it may be sent. */
export function formProblems(form: PasswordForm, phone?: string | null): Partial<Record<keyof PasswordForm, PasswordProblem[]>> {
  const found: Partial<Record<keyof PasswordForm, PasswordProblem[]>> = {}
  if (!form.current) found.current = ['currentRequired']
  const next = newPasswordProblems(form.next, { phone, current: form.current })
  if (next.length) found.next = next
  if (!form.repeat) found.repeat = ['repeatRequired']
  else if (form.repeat !== form.next) found.repeat = ['mismatch']
  return found
}

/** Is this error the gateway's "change your one-time password first"? */
export function isPasswordChangeRequired(error: unknown): boolean {
  return isApiError(error) && error.status === 403 && error.code === PASSWORD_CHANGE_REQUIRED
}

/** Where the router sends a logged-in person instead of ``to`` (null: let them go). A login
 *  that must change its password may open only the password page and the public ones. */
export function passwordGate(
  to: { name?: string | symbol | null; public?: boolean },
  mustChangePassword: boolean,
): { name: string; query: { required: '1' } } | null {
  if (!mustChangePassword || to.public || to.name === PASSWORD_ROUTE) return null
  return { name: PASSWORD_ROUTE, query: { required: '1' } }
}
