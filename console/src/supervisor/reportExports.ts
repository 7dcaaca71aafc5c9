// The report exports' API calls, as the 报表 page passes them to ExportButton. The routes
// (POST /api/v1/reports/exports {kind, format, params}, GET .../exports/{id},
// GET .../exports/{id}/file) are not in this console's openapi.json yet: until they are, this
// is null and the page shows no export button (reportExports.test.ts fails once they appear
// and this is still null). Once they exist, replace null with:
//
//   {
//     start: (kind, format, params) =>
//       ok(api.POST('/api/v1/reports/exports', { body: { kind, format, params } })),
//     status: (id) => ok(api.GET('/api/v1/reports/exports/{id}', { params: { path: { id } } })),
//     download: async (job) => saveBlob(await download(`/api/v1/reports/exports/${job.id}/file`),
//                                       job.file_name ?? `${job.id}`),
//   }
//
// (api, ok, download, saveBlob from '@/api/client'), typed by the generated schema.
import type { ExportFormat, ExportJob } from '@/components/ExportButton.vue'
import type { BreakdownParams, SeriesParams } from './reports'

/** What the page exports: its series or its breakdown table, with the page's query. */
export type ReportExport =
  | { kind: 'series'; params: SeriesParams }
  | { kind: 'breakdown'; params: BreakdownParams }

export interface ReportExportApi<J extends ExportJob> {
  start: (kind: ReportExport['kind'], format: ExportFormat, params: ReportExport['params']) => Promise<J>
  status: (id: string) => Promise<J>
  download: (job: J) => Promise<void>
}

export const reportExports: ReportExportApi<ExportJob> | null = null

/** The export paths the gateway must declare for the button to show. */
export const EXPORT_PATHS = ['/api/v1/reports/exports', '/api/v1/reports/exports/{id}', '/api/v1/reports/exports/{id}/file']
