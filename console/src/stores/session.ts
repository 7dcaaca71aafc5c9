import { defineStore } from 'pinia'
import { api, ok } from '@/api/client'
import { refreshSession, setToken, currentToken } from '@/api/session'
import { ApiError, type ErrorBody } from '@/api/errors'
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
  state: () => ({ me: null as Me | null }),
  getters: {
    loggedIn: (state) => state.me !== null,
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
      await this.loadMe()
    },
    async loadMe(): Promise<void> {
      this.me = await ok(api.GET('/api/v1/me'))
    },
    /** After a reload: the cookie may still hold a session. */
    async restore(): Promise<boolean> {
      if (this.me) return true
      if (!currentToken() && !(await refreshSession())) return false
      try {
        await this.loadMe()
        return true
      } catch {
        setToken(null)
        return false
      }
    },
    async logout(everywhere = false): Promise<void> {
      try {
        await ok(api.POST('/api/v1/auth/session/logout', { body: { everywhere } }))
      } finally {
        setToken(null)
        this.me = null
      }
    },
  },
})
