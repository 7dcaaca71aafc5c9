// The export calls the supervisor pages make: the body posted, the status path, the file saved.
import { describe, expect, it, vi } from 'vitest'

const POST = vi.fn(async (_path: string, _options: unknown) => ({ data: { id: 'j1', status: 'queued' }, response: new Response(null, { status: 202 }) }))
const GET = vi.fn(async (_path: string, _options: unknown) => ({ data: { id: 'j1', status: 'done' }, response: new Response(null, { status: 200 }) }))
const download = vi.fn(async (_path: string) => new Blob(['x']))
const saveBlob = vi.fn()
vi.mock('@/api/client', () => ({
  api: { POST: (p: string, o: unknown) => POST(p, o), GET: (p: string, o: unknown) => GET(p, o) },
  ok: async (pending: Promise<{ data: unknown }>) => (await pending).data,
  download: (p: string) => download(p),
  saveBlob: (b: Blob, n: string) => saveBlob(b, n),
}))

const { reportExports } = await import('./reportExports')
type ExportJobOut = import('./reportExports').ExportJobOut

describe('report exports', () => {
  it('posts the kind, the format and the page’s params', async () => {
    const span = { region_code: '130100000000', from: '2026-11-01', to: '2026-11-30' }
    await reportExports!.start({ kind: 'service_records', params: span }, 'csv')
    expect(POST).toHaveBeenCalledWith('/api/v1/reports/exports', { body: { kind: 'service_records', format: 'csv', params: span } })
    await reportExports!.start({ kind: 'national_records', params: { ...span, full: true } }, 'xlsx')
    expect(POST).toHaveBeenLastCalledWith('/api/v1/reports/exports', { body: { kind: 'national_records', format: 'xlsx', params: { ...span, full: true } } })
  })
  it('follows the job by its export_id and saves the file under its Chinese name', async () => {
    await reportExports!.status('j1')
    expect(GET).toHaveBeenCalledWith('/api/v1/reports/exports/{export_id}', { params: { path: { export_id: 'j1' } } })
    const job: ExportJobOut = {
      id: 'j1', kind: 'service_records', format: 'xlsx', status: 'done', percent: 100, rows: 3, total_rows: 3, params: {},
      created_at: '2026-12-01T02:00:00Z', started_at: null, finished_at: null, expires_at: null,
      file_name: '服务记录_2026-11.xlsx', size_bytes: 100, error: null,
    }
    await reportExports!.download(job)
    expect(download).toHaveBeenCalledWith('/api/v1/reports/exports/j1/file')
    expect(saveBlob).toHaveBeenCalledWith(expect.any(Blob), '服务记录_2026-11.xlsx')
  })
})
