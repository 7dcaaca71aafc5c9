// Pure helpers of 志愿者导入 (tested in imports.test.ts): what a chosen file is sent as, and how a
// job's counts read.
import type { Schemas } from '@/api/client'

export type ImportJob = Schemas['IdentityImportJobOut']
export type ImportErrorRow = Schemas['IdentityImportErrorRow']

/** The largest upload the gateway takes (identity's IMPORT_MAX_BYTES). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The Content-Type an upload is sent with, by its name (the job tells CSV from XLSX by the bytes). */
export function uploadType(fileName: string): 'text/csv' | typeof XLSX_TYPE | null {
  const lower = fileName.toLowerCase()
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'text/csv'
  if (lower.endsWith('.xlsx')) return XLSX_TYPE
  return null
}

/** Why a chosen file cannot be sent (before uploading), or null. */
export function fileProblem(file: { name: string; size: number } | null): 'none' | 'type' | 'empty' | 'size' | null {
  if (!file) return 'none'
  if (!uploadType(file.name)) return 'type'
  if (file.size === 0) return 'empty'
  if (file.size > IMPORT_MAX_BYTES) return 'size'
  return null
}

/** The counts the progress line shows. */
export function importCounts(job: Pick<ImportJob, 'rows_done' | 'total_rows' | 'created' | 'updated' | 'unchanged' | 'refused'>) {
  return {
    done: job.rows_done, total: job.total_rows ?? null,
    created: job.created, updated: job.updated, unchanged: job.unchanged, refused: job.refused,
  }
}

/** Whether a job has ended (no more polling). */
export function finished(job: Pick<ImportJob, 'status'>): boolean {
  return job.status === 'done' || job.status === 'failed'
}
