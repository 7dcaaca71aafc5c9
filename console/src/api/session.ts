// The login session: the access token lives only in memory (this module); the refresh token
// is an HttpOnly cookie set by the gateway (POST /api/v1/auth/session), which script cannot read.
// A page reload restores the session by asking /api/v1/auth/session/refresh.

let accessToken: string | null = null
let refreshing: Promise<boolean> | null = null

export function currentToken(): string | null {
  return accessToken
}

export function setToken(token: string | null): void {
  accessToken = token
}

/** Ask the gateway for a new access token with the session cookie; false when there is no
 *  session (never logged in, logged out, or ended elsewhere). Concurrent callers share one try. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const response = await fetch('/api/v1/auth/session/refresh', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        })
        if (!response.ok) {
          accessToken = null
          return false
        }
        const body = (await response.json()) as { access_token: string }
        accessToken = body.access_token
        return true
      } catch {
        return false
      } finally {
        refreshing = null
      }
    })()
  }
  return refreshing
}

// A login whose one-time password must still be changed is answered 403
// password_change_required on every route but the password change and logout: the router
// (router.ts) registers what to do then — take the person to the password page.
let passwordChangeRequired: (() => void) | null = null

export function onPasswordChangeRequired(handler: (() => void) | null): void {
  passwordChangeRequired = handler
}

export function notifyPasswordChangeRequired(): void {
  passwordChangeRequired?.()
}
