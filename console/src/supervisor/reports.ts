// The 报表 page's logic, pure: what the URL holds (period, span, measures), the queries,
// the charts' and the breakdown table's data, and the freshness note.
import type { Schemas } from '@/api/client'
import { chinaToday, formatTime } from '@/format'
import {
  DEFAULT_MEASURES, type Measure, type MeasureGroup, type Period, isMeasure, isPeriod, plotted,
} from './measures'

export type SeriesOut = Schemas['ReportingSeriesOut']
export type BreakdownOut = Schemas['ReportingBreakdownOut']

export interface ReportState {
  period: Period
  from: string
  to: string
  measures: Measure[]
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The last 12 months by month: from the first day of the month 11 months ago to today. */
export function defaultSpan(today: string): { from: string; to: string } {
  const [year, month] = today.split('-').map(Number)
  const index = year * 12 + (month - 1) - 11
  const from = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`
  return { from, to: today }
}

type Query = Record<string, unknown>

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/** The page's state from the route's query, anything missing or malformed by default. */
export function readState(query: Query, today: string = chinaToday()): ReportState {
  const span = defaultSpan(today)
  const from = text(query.from)
  const to = text(query.to)
  const measures = (text(query.measures) ?? '').split(',').map((m) => m.trim()).filter(isMeasure)
  return {
    period: isPeriod(query.period) ? query.period : 'month',
    from: from && DAY.test(from) ? from : span.from,
    to: to && DAY.test(to) ? to : span.to,
    measures: measures.length ? [...new Set(measures)] : [...DEFAULT_MEASURES],
  }
}

/** The state as the route's query (what a link or the back button brings back). */
export function stateQuery(state: ReportState): Record<string, string> {
  return { period: state.period, from: state.from, to: state.to, measures: state.measures.join(',') }
}

export interface SeriesParams {
  region_code: string
  period: Period
  from: string
  to: string
  measures: Measure[]
}
export interface BreakdownParams { region_code: string; from: string; to: string }

export function seriesParams(region: string, state: ReportState): SeriesParams {
  return { region_code: region, period: state.period, from: state.from, to: state.to, measures: state.measures }
}

export function breakdownParams(region: string, state: ReportState): BreakdownParams {
  return { region_code: region, from: state.from, to: state.to }
}

export interface ChartSeries { measure: Measure; values: number[] }

/** One chart's data: the periods along the axis and one line per measure of the group. */
export function chartOf(group: MeasureGroup, series: SeriesOut): { categories: string[]; series: ChartSeries[] } {
  return {
    categories: series.rows.map((row) => row.period),
    series: group.measures.map((measure) => ({
      measure, values: series.rows.map((row) => plotted(measure, row.values[measure])),
    })),
  }
}

/** Whether a series holds anything but zeros for these measures. */
export function hasFigures(series: SeriesOut, measures: Measure[]): boolean {
  return series.rows.some((row) => measures.some((m) => (row.values[m] ?? 0) !== 0))
}

export interface BreakdownLine {
  code: string
  name: string
  values: Record<string, number>
}

/** The breakdown's rows: every child region (``children``, in their order, with their names;
 *  a region without a row has had nothing happen: zeros), then any row of a region not listed
 *  (named by its code). */
export function breakdownLines(breakdown: BreakdownOut, children: { code: string; name: string }[]): BreakdownLine[] {
  const rows = new Map(breakdown.rows.map((row) => [row.region_code, row.values]))
  const listed = new Set(children.map((c) => c.code))
  return [
    ...children.map((c) => ({ code: c.code, name: c.name, values: rows.get(c.code) ?? {} })),
    ...breakdown.rows.filter((row) => !listed.has(row.region_code))
      .map((row) => ({ code: row.region_code, name: row.region_code, values: row.values })),
  ]
}

/** How a breakdown column sorts: by the measure's value. */
export function sortValue(measure: Measure) {
  return (a: BreakdownLine, b: BreakdownLine): number => (a.values[measure] ?? 0) - (b.values[measure] ?? 0)
}

export const STALE_AFTER_SECONDS = 300

function lagText(seconds: number, zh: boolean): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return zh ? `${s} 秒` : `${s} s`
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return zh ? `${minutes} 分钟` : `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) {
    const rest = minutes % 60
    return zh ? `${hours} 小时${rest ? ` ${rest} 分钟` : ''}` : `${hours} h${rest ? ` ${rest} min` : ''}`
  }
  const days = Math.floor(hours / 24)
  return zh ? `${days} 天` : `${days} days`
}

export interface Freshness {
  /** "2026-12-01 10:32" in China time, or null before the first event. */
  asOf: string | null
  lag: string | null
  stale: boolean
}

/** How fresh an answer is: ``as_of`` in China time, the lag in words, stale over 5 minutes. */
export function freshness(asOf: string | null | undefined, lagSeconds: number | null | undefined,
                          locale: string): Freshness {
  if (!asOf) return { asOf: null, lag: null, stale: false }
  const lag = lagSeconds ?? 0
  return {
    asOf: `${chinaToday(new Date(asOf))} ${formatTime(asOf)}`,
    lag: lagText(lag, locale.startsWith('zh')),
    stale: lag > STALE_AFTER_SECONDS,
  }
}
