import { defineStore } from 'pinia'
import { api, ok } from '@/api/client'
import { refreshSession, setToken, currentToken } from '@/api/session'
import { ApiError, type ErrorBody } from '@/api/errors'
import { isPasswordChangeRequired } from '@/login/password'
import type { Schemas } from '@/api/client'

export type Me = Schemas['IdentityMe']

export const STAFF_ADMIN_ROLES = ['province_admin', 'city_admin', 'county_admin', 'township_admin']

/** Which surfaces a person's roles open, in the order the console offers them. */
export function surfacesFor(roles: readonly string[]): string[] {
  const surfaces: string[] = []
  const has = (...names: string[]) => names.some((name) => roles.includes(name))
  if (has('station_operator', ...STAFF_ADMIN_ROLES)) surfaces.push('station')
  if (has(...STAFF_ADMIN_ROLES, 'auditor')) surfaces.push('supervisor')
  if (has(...STAFF_ADMIN_ROLES)) surfaces.push('admin')
  if (has('volunteer')) surfaces.push('volunteer')
  if (has('elder', 'relative')) surfaces.push('elder')
  return surfaces
}

/** Where a person lands after logging in. */
export function homeFor(roles: readonly string[]): string {
  const has = (name: string) => roles.includes(name)
  if (has('station_operator')) return '/station'
  if (STAFF_ADMIN_ROLES.some(has) || has('auditor')) return '/supervisor'
  if (has('volunteer')) return '/volunteer'
  if (has('elder') || has('relative')) return '/elder'
  return '/login'
}

export const useSession = defineStore('session', {
  // mustChangePassword: logged in with a one-time password not yet changed — the gateway
  // answers everything but the password change 403 password_change_required, /me included, so
  // `me` stays null until the person has changed it and logged in again. loginPhone: the
  // number typed at login (kept in memory), so the password page can refuse a password holding it.
  state: () => ({ me: null as Me | null, mustChangePassword: false, loginPhone: null as string | null }),
  getters: {
    loggedIn: (state) => state.me !== null || state.mustChangePassword,
    roles: (state): string[] => state.me?.roles ?? [],
    surfaces(): string[] {
      return surfacesFor(this.roles)
    },
  },
  actions: {
    hasRole(...names: string[]): boolean {
      return names.some((name) => this.roles.includes(name))
    },
    async login(phone: string, password: string): Promise<void> {
      const response = await fetch('/api/v1/auth/session', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ phone, password }),
      })
      const body = await response.json().catch(() => null)
      if (!response.ok) throw new ApiError(response.status, body as Partial<ErrorBody> | null)
      setToken((body as { access_token: string }).access_token)
      this.loginPhone = phone
      this.mustChangePassword = false
      try {
        await this.loadMe()
      } catch (caught) {
        if (!isPasswordChangeRequired(caught)) throw caught
        this.mustChangePassword = true
      }
    },
    async loadMe(): Promise<void> {
      this.me = await ok(api.GET('/api/v1/me'))
    },
    /** After a reload: the cookie may still hold a session. */
    async restore(): Promise<boolean> {
      if (this.me || (this.mustChangePassword && currentToken())) return true
      if (!currentToken() && !(await refreshSession())) return false
      try {
        await this.loadMe()
        return true
      } catch (caught) {
        if (isPasswordChangeRequired(caught)) {
          this.mustChangePassword = true
          return true
        }
        setToken(null)
        return false
      }
    },
    /** POST /api/v1/auth/password: on success every login of the person has ended (this one
     *  too), so the console forgets it; the person logs in again with the new password. */
    async changePassword(currentPassword: string, newPassword: string): Promise<void> {
      await ok(api.POST('/api/v1/auth/password', {
        body: { current_password: currentPassword, new_password: newPassword },
      }))
      this.forget()
    },
    forget(): void {
      setToken(null)
      this.me = null
      this.mustChangePassword = false
    },
    async logout(everywhere = false): Promise<void> {
      try {
        await ok(api.POST('/api/v1/auth/session/logout', { body: { everywhere } }))
      } finally {
        this.forget()
      }
    },
  },
})
