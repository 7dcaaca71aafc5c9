// reporting's measures as the 报表 page offers them: the groups (one chart each), what each
// counts and how it is shown — the one place the console names them (their words are in
// messages.ts under supervisor.reports.measures / .groups). What each means:
// services/reporting/README.md and reporting/contracts/series.py.
import type { paths } from '@/api/client'

type SeriesQuery = NonNullable<paths['/api/v1/reports/series']['get']['parameters']['query']>
/** A measure reporting keeps (the enum of the series route's ``measures``). */
export type Measure = NonNullable<SeriesQuery['measures']>[number]
export type Period = NonNullable<SeriesQuery['period']>

/** How a measure's values read: a count, or minutes or seconds (both shown as hours, one
 * decimal). */
export type Unit = 'count' | 'minutes' | 'seconds'

export interface MeasureGroup {
  key: 'services' | 'time' | 'credits' | 'demands' | 'waits' | 'people' | 'quality' | 'oversight'
  unit: Unit
  measures: Measure[]
}

export const MEASURE_GROUPS: MeasureGroup[] = [
  { key: 'services', unit: 'count', measures: ['services_recorded', 'demands_served', 'services_unrecorded'] },
  { key: 'time', unit: 'minutes', measures: ['service_minutes'] },
  {
    key: 'credits',
    unit: 'minutes',
    measures: ['minutes_credited', 'minutes_reversed', 'minutes_spent', 'minutes_gifted', 'minutes_donated',
      'minutes_granted', 'minutes_allocated'],
  },
  { key: 'demands', unit: 'count', measures: ['demands_submitted', 'demands_published', 'demands_expired', 'demands_cancelled'] },
  { key: 'waits', unit: 'seconds', measures: ['publication_wait_seconds', 'service_wait_seconds'] },
  {
    key: 'people',
    unit: 'count',
    measures: ['volunteers_registered', 'volunteers_eligible', 'active_volunteers', 'elders_registered',
      'elders_served', 'priority_elders'],
  },
  { key: 'quality', unit: 'count', measures: ['evaluations', 'evaluation_score_sum'] },
  { key: 'oversight', unit: 'count', measures: ['disputes_opened', 'disputes_resolved', 'records_held'] },
]

export const ALL_MEASURES: Measure[] = MEASURE_GROUPS.flatMap((g) => g.measures)

/** What the page shows first: the services, their time, the credits and the people. */
export const DEFAULT_MEASURES: Measure[] = [
  'services_recorded', 'service_minutes', 'minutes_credited', 'volunteers_registered', 'elders_registered',
  'active_volunteers',
]

export const PERIODS: Period[] = ['day', 'week', 'month', 'quarter', 'year']

export function isMeasure(value: string): value is Measure {
  return (ALL_MEASURES as string[]).includes(value)
}

export function isPeriod(value: unknown): value is Period {
  return typeof value === 'string' && (PERIODS as string[]).includes(value)
}

export function unitOf(measure: Measure): Unit {
  return MEASURE_GROUPS.find((g) => g.measures.includes(measure))?.unit ?? 'count'
}

/** The selected measures, group by group in the groups' order (groups with none left out). */
export function selectedGroups(selected: Measure[]): MeasureGroup[] {
  return MEASURE_GROUPS
    .map((g) => ({ ...g, measures: g.measures.filter((m) => selected.includes(m)) }))
    .filter((g) => g.measures.length > 0)
}

/** A value as the chart plots it: minutes and seconds as hours with one decimal, counts as
 * they are. */
export function plotted(measure: Measure, value: number | undefined): number {
  const v = value ?? 0
  const unit = unitOf(measure)
  if (unit === 'minutes') return Math.round(v / 6) / 10
  if (unit === 'seconds') return Math.round(v / 360) / 10
  return v
}

/** A value as a table cell reads: "1,234" or, for minutes, hours "20.5" (none: 0). */
export function shown(measure: Measure, value: number | undefined, locale: string): string {
  const minutes = unitOf(measure) !== 'count'
  return plotted(measure, value).toLocaleString(locale.startsWith('zh') ? 'zh-CN' : 'en', minutes
    ? { minimumFractionDigits: 1, maximumFractionDigits: 1 }
    : { maximumFractionDigits: 0 })
}
