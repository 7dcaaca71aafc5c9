// postRaw: a file sent as the raw body with the route's query; the typed answer, or an ApiError.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ok, postRaw } from './client'
import { onPasswordChangeRequired } from './session'
import { ApiError } from './errors'

afterEach(() => {
  vi.unstubAllGlobals()
  onPasswordChangeRequired(null)
})

describe('postRaw', () => {
  it('sends the file as the body with its media type and the query', async () => {
    const seen: Request[] = []
    vi.stubGlobal('fetch', vi.fn(async (request: Request) => {
      seen.push(request)
      return new Response(JSON.stringify({ id: 'j1', status: 'queued' }), { status: 202, headers: { 'Content-Type': 'application/json' } })
    }))
    const file = new Blob(['志愿者编号,姓名\r\n'], { type: 'text/csv' })
    const job = await postRaw('/api/v1/people/imports', { kind: 'volunteer_registrations', filename: '名单 1.csv' }, file, 'text/csv')
    expect(job).toMatchObject({ id: 'j1', status: 'queued' })
    const request = seen[0]
    expect(request.method).toBe('POST')
    const url = new URL(request.url, 'http://localhost')
    expect(url.pathname).toBe('/api/v1/people/imports')
    expect(url.searchParams.get('kind')).toBe('volunteer_registrations')
    expect(url.searchParams.get('filename')).toBe('名单 1.csv')
    expect(request.headers.get('Content-Type')).toBe('text/csv')
    expect(await request.text()).toBe('志愿者编号,姓名\r\n')
  })
  it('turns a refusal into an ApiError with the gateway’s words', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({
      error: 'unsupported_media_type', message: { zh: '不支持的文件类型', en: 'Unsupported file type' },
    }), { status: 415 })))
    const refused = postRaw('/api/v1/people/imports', { kind: 'volunteer_registrations', filename: 'a.pdf' }, new Blob(['x']), 'application/pdf')
    await expect(refused).rejects.toBeInstanceOf(ApiError)
    await expect(refused).rejects.toMatchObject({ status: 415, code: 'unsupported_media_type', zh: '不支持的文件类型' })
  })
})

describe('a login that must change its one-time password', () => {
  const answer = (error: string) => vi.fn(async () => new Response(JSON.stringify({
    error, message: { zh: '首次登录请先修改密码', en: 'Change your one-time password first' },
  }), { status: 403, headers: { 'Content-Type': 'application/json' } }))

  it('is told to the handler the router registers, and the caller still gets the error', async () => {
    const handler = vi.fn()
    onPasswordChangeRequired(handler)
    vi.stubGlobal('fetch', answer('password_change_required'))
    const refused = ok(api.GET('/api/v1/me'))
    await expect(refused).rejects.toMatchObject({ status: 403, code: 'password_change_required', zh: '首次登录请先修改密码' })
    expect(handler).toHaveBeenCalledTimes(1)
  })
  it('is not confused with any other refusal', async () => {
    const handler = vi.fn()
    onPasswordChangeRequired(handler)
    vi.stubGlobal('fetch', answer('out_of_scope'))
    await expect(ok(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 403, code: 'out_of_scope' })
    expect(handler).not.toHaveBeenCalled()
  })
})
