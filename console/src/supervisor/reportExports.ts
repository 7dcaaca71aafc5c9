// The report exports' API calls (POST /api/v1/reports/exports {kind, format, params},
// GET .../exports/{export_id}, GET .../exports/{export_id}/file), as the supervisor pages pass
// them to ExportButton: the 报表 page (series, breakdown, service records), 表扬名单
// (commendation) and 数据交换 (national_records). Typed by the generated schema.
import { api, download, ok, saveBlob, type Schemas } from '@/api/client'
import type { ExportFormat } from '@/components/ExportButton.vue'
import type { BreakdownParams, SeriesParams } from './reports'

export type ExportJobOut = Schemas['ReportingExportJobOut']

/** A span of a region, as the service records, commendation and national exports take it. */
export interface SpanParams { region_code: string; from: string; to: string }

/** What a page exports, with its query. */
export type ReportExport =
  | { kind: 'series'; params: SeriesParams }
  | { kind: 'breakdown'; params: BreakdownParams }
  | { kind: 'service_records'; params: SpanParams }
  | { kind: 'commendation'; params: SpanParams & { limit?: number } }
  | { kind: 'national_records'; params: SpanParams & { full?: boolean } }

export interface ReportExportApi {
  start: (what: ReportExport, format: ExportFormat) => Promise<ExportJobOut>
  status: (id: string) => Promise<ExportJobOut>
  download: (job: ExportJobOut) => Promise<void>
}

export const reportExports: ReportExportApi | null = {
  start: (what, format) =>
    ok(api.POST('/api/v1/reports/exports', { body: { kind: what.kind, format, params: { ...what.params } } })),
  status: (id) => ok(api.GET('/api/v1/reports/exports/{export_id}', { params: { path: { export_id: id } } })),
  download: async (job) =>
    saveBlob(await download(`/api/v1/reports/exports/${encodeURIComponent(job.id)}/file`), job.file_name ?? `${job.id}.${job.format}`),
}

/** The export paths the gateway must declare for the buttons to show. */
export const EXPORT_PATHS = [
  '/api/v1/reports/exports', '/api/v1/reports/exports/{export_id}', '/api/v1/reports/exports/{export_id}/file',
]
