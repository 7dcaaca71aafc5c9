import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/errors'
import {
  characterClasses, formProblems, isPasswordChangeRequired, newPasswordProblems, passwordGate,
} from './password'

describe('the new password, checked as identity checks it', () => {
  it('counts character classes as the server does (anything not an ASCII letter or digit is a symbol)', () => {
    expect(characterClasses('abcdefgh')).toBe(1)
    expect(characterClasses('Abc12345')).toBe(3)
    expect(characterClasses('Demo@2026')).toBe(4)
    expect(characterClasses('时间银行abc')).toBe(2)
  })
  it('accepts what the server accepts', () => {
    expect(newPasswordProblems('Demo@2026')).toEqual([])
    expect(newPasswordProblems('Hebei#Admin-2026')).toEqual([])
    // 12 characters or more: two classes are enough
    expect(newPasswordProblems('longpassphrase2026')).toEqual([])
  })
  it('names every broken rule at once', () => {
    expect(newPasswordProblems('')).toEqual(['newRequired'])
    expect(newPasswordProblems('Ab1')).toEqual(['tooShort'])
    expect(newPasswordProblems('abcdefgh')).toEqual(['tooSimple'])
    expect(newPasswordProblems('abcdefghijk1')).toEqual([])
    expect(newPasswordProblems('abc1234567')).toEqual(['tooSimple'])
    expect(newPasswordProblems('A'.repeat(100) + 'b1'.repeat(15))).toEqual(['tooLong'])
    expect(newPasswordProblems('x13800000001', { phone: '13800000001' })).toEqual(['containsPhone'])
    expect(newPasswordProblems('Demo@2026', { current: 'Demo@2026' })).toEqual(['unchanged'])
  })
  it('counts characters, not UTF-16 units', () => {
    expect(newPasswordProblems('😀😀😀a1B')).toEqual(['tooShort'])
  })
})

describe('the change-password form', () => {
  it('may be sent when complete and the repeat matches', () => {
    expect(formProblems({ current: 'old', next: 'Hebei#2026x', repeat: 'Hebei#2026x' })).toEqual({})
  })
  it('asks for every field and a matching repeat', () => {
    expect(formProblems({ current: '', next: '', repeat: '' })).toEqual({
      current: ['currentRequired'], next: ['newRequired'], repeat: ['repeatRequired'],
    })
    expect(formProblems({ current: 'old', next: 'Hebei#2026x', repeat: 'Hebei#2026' })).toEqual({ repeat: ['mismatch'] })
  })
  it('refuses the current password as the new one', () => {
    expect(formProblems({ current: 'Demo@2026', next: 'Demo@2026', repeat: 'Demo@2026' })).toEqual({ next: ['unchanged'] })
  })
})

describe('when the console sends a person to change their password', () => {
  const required = new ApiError(403, {
    error: 'password_change_required', message: { zh: '请先修改一次性密码', en: 'Change your one-time password first' },
  })
  it('recognises the gateway answer', () => {
    expect(isPasswordChangeRequired(required)).toBe(true)
    expect(isPasswordChangeRequired(new ApiError(403, { error: 'forbidden' }))).toBe(false)
    expect(isPasswordChangeRequired(new Error('password_change_required'))).toBe(false)
    expect(isPasswordChangeRequired(null)).toBe(false)
  })
  it('lets a login without a pending change go anywhere', () => {
    expect(passwordGate({ name: 'station-home' }, false)).toBeNull()
    expect(passwordGate({ name: 'password' }, false)).toBeNull()
  })
  it('holds a pending change on the password page, public pages aside', () => {
    expect(passwordGate({ name: 'station-home' }, true)).toEqual({ name: 'password', query: { required: '1' } })
    expect(passwordGate({ name: undefined }, true)).toEqual({ name: 'password', query: { required: '1' } })
    expect(passwordGate({ name: 'password' }, true)).toBeNull()
    expect(passwordGate({ name: 'login', public: true }, true)).toBeNull()
  })
})
