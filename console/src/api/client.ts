// The console's API client: openapi-fetch typed by src/api/schema.d.ts, generated from the
// gateway's /openapi.json (console/openapi.json; `npm run api-types`). A contract change that
// breaks a screen breaks `npm run typecheck`.
import createClient from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError, type ErrorBody } from './errors'
import { currentToken, notifyPasswordChangeRequired, refreshSession } from './session'
import { PASSWORD_CHANGE_REQUIRED } from '@/login/password'

async function authorizedFetch(request: Request): Promise<Response> {
  const again = request.clone()
  const token = currentToken()
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  let response: Response
  try {
    response = await fetch(request)
  } catch {
    throw new ApiError(0, { error: 'network_error', message: { zh: '网络连接中断，请稍后重试', en: 'The network is unavailable; please retry' } })
  }
  if (response.status === 401 && token && (await refreshSession())) {
    again.headers.set('Authorization', `Bearer ${currentToken()}`)
    response = await fetch(again)
  }
  if (response.status === 403 && (await errorCode(response)) === PASSWORD_CHANGE_REQUIRED) {
    notifyPasswordChangeRequired()
  }
  return response
}

/** The error code of an error answer, read from a copy (the caller reads the body itself). */
async function errorCode(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.clone().json()
    return typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : null
  } catch {
    return null
  }
}

export const api = createClient<paths>({ baseUrl: '', fetch: authorizedFetch })

type Result<T> = { data?: T; error?: unknown; response: Response }

/** The answer's data, or an ApiError carrying the gateway's bilingual message. */
export async function ok<T>(pending: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await pending
  if (!response.ok || error !== undefined) {
    throw new ApiError(response.status, (error ?? null) as Partial<ErrorBody> | null)
  }
  return data as T
}

/** A file answer (certificate PDF...) as a Blob, with the same error handling. */
export async function download(path: string, init: RequestInit = {}): Promise<Blob> {
  const response = await authorizedFetch(new Request(path, init))
  if (!response.ok) {
    let body: Partial<ErrorBody> | null = null
    try { body = await response.json() } catch { body = null }
    throw new ApiError(response.status, body)
  }
  return response.blob()
}

/** Offer a Blob to the browser as a file download. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export type { paths }
export type Schemas = import('./schema').components['schemas']

type RawPost<P extends keyof paths> = paths[P] extends {
  post: { parameters: { query: infer Q }; responses: { 202: { content: { 'application/json': infer R } } } }
} ? { query: Q; answer: R } : never

/** POST a file as the raw request body (an import: the route's declared media type), the query
 *  as the route declares it; the 202 answer typed from the schema, errors as ApiError. */
export async function postRaw<P extends keyof paths>(
  path: P, query: RawPost<P>['query'], body: Blob, contentType: string,
): Promise<RawPost<P>['answer']> {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) search.set(key, String(value))
  }
  const response = await authorizedFetch(new Request(`${String(path)}?${search}`, {
    method: 'POST', body, headers: { 'Content-Type': contentType, Accept: 'application/json' },
  }))
  if (!response.ok) {
    let body: unknown = null
    try { body = await response.json() } catch { body = null }
    throw new ApiError(response.status, errorBody(body))
  }
  return response.json()
}

function errorBody(value: unknown): Partial<ErrorBody> | null {
  return typeof value === 'object' && value !== null ? value : null
}
