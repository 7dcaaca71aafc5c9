// Pure helpers of the supervisor's 月度报告, 表扬名单 and 数据交换 pages (tested in
// interchange.test.ts). Answers are typed by the generated schema.
import type { Schemas } from '@/api/client'
import { isApiError } from '@/api/errors'

export type MonthlyReport = Schemas['ReportingMonthlyReportOut']
export type Commendation = Schemas['ReportingCommendationOut']
export type NationalExport = Schemas['ReportingNationalExportOut']
export type ZyhStatus = Schemas['ReportingZyhStatusOut']
export type ZyhPush = Schemas['ReportingZyhPushOut']
export type Reconciliation = Schemas['ReportingInterchangeReconciliationOut']
export type Channel = Schemas['ReportingChannelReconciliation']
export type Difference = Schemas['ReportingDifferenceOut']

/** Who may export for the national system (reporting's NATIONAL_EXPORTERS = the admins). */
export const NATIONAL_EXPORTERS = ['province_admin', 'city_admin', 'county_admin', 'township_admin'] as const
/** Who reads the 志愿汇 state (ZYH_READERS, province scope) and who may replay (ZYH_REPLAYERS). */
export const ZYH_READERS = ['province_admin', 'auditor'] as const
export const ZYH_REPLAYERS = ['province_admin'] as const

export function hasRole(roles: readonly string[] | undefined, allowed: readonly string[]): boolean {
  return (roles ?? []).some((r) => allowed.includes(r))
}

/** The complete months before today's (China day "2026-12-07" → "2026-11", "2026-10", …). */
export function completeMonths(today: string, count = 24): string[] {
  let year = Number(today.slice(0, 4))
  let month = Number(today.slice(5, 7))
  const months: string[] = []
  for (let i = 0; i < count; i += 1) {
    month -= 1
    if (month === 0) { month = 12; year -= 1 }
    months.push(`${year}-${String(month).padStart(2, '0')}`)
  }
  return months
}

/** "2026-11" → "2026年11月" / "Nov 2026". */
export function monthLabel(month: string, locale: string): string {
  const [year, m] = month.split('-')
  const en = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  return locale.startsWith('zh') ? `${year}年${Number(m)}月` : `${en[Number(m) - 1]} ${year}`
}

/** A lookup of the monthly report: 404 report_not_found means "not made yet" (offer 生成). */
export function isReportMissing(error: unknown): boolean {
  return isApiError(error) && error.status === 404 && error.code === 'report_not_found'
}

/** The first day of a month and its last ("2026-02" → 2026-02-01, 2026-02-28). */
export function monthSpan(month: string): { from: string; to: string } {
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate()
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` }
}

/** The default span of the commendation, national export and reconciliation pages: the last
 *  complete month and this one so far (first of last month to today). */
export function recentSpan(today: string): { from: string; to: string } {
  return { from: monthSpan(completeMonths(today, 1)[0]).from, to: today }
}

/** A span's problem: reversed, or a bad date (before asking). */
export function spanProblem(from: string, to: string): 'badDate' | 'reversed' | null {
  const day = /^\d{4}-\d{2}-\d{2}$/
  if (!day.test(from) || !day.test(to)) return 'badDate'
  return from > to ? 'reversed' : null
}

/** The star level as stars ("★★★"). */
export function stars(level: number): string {
  return '★'.repeat(Math.max(0, Math.min(level, 10)))
}

/** Minutes as hours with one decimal ("1,234.5"). */
export function hours(minutes: number | null | undefined, locale: string): string {
  if (minutes === null || minutes === undefined) return '—'
  return (minutes / 60).toLocaleString(locale.startsWith('zh') ? 'zh-CN' : 'en', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
}

/** A difference's minutes on each side, and how much they differ (delivered − ledger). Takes
 * the two sides only, as a table's row gives them. */
export function differenceGap(d: Partial<Difference>): number | null {
  if (d.ledger_minutes === null || d.ledger_minutes === undefined) return d.delivered_minutes ?? null
  if (d.delivered_minutes === null || d.delivered_minutes === undefined) return -d.ledger_minutes
  return d.delivered_minutes - d.ledger_minutes
}

/** The channels of a reconciliation, each with whether it balances and the count not shown. */
export function channelSummaries(answer: Reconciliation): { channel: string; ok: boolean; hidden: number; differences: Difference[]; delivered: Schemas['ReportingSideTotals']; ledger: Schemas['ReportingSideTotals'] }[] {
  return (answer.channels ?? []).map((c) => {
    const differences = c.differences ?? []
    return {
      channel: c.channel ?? '',
      ok: c.ok ?? differences.length === 0,
      hidden: Math.max(0, (c.difference_count ?? differences.length) - differences.length),
      differences,
      delivered: c.delivered ?? { records: 0, minutes: 0 },
      ledger: c.ledger ?? { records: 0, minutes: 0 },
    }
  })
}
