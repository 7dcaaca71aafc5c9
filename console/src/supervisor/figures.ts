// View models of the dashboard: one row per child region (identity's people and carriers,
// ledger's minutes), the bar chart's series, and the headline figures (the service figures
// from reporting's read model, or from demand when reporting did not answer).
import type { Schemas } from '@/api/client'
import type { IdentityChild, LedgerChild } from './types'

export interface ChildRow {
  code: string
  name: string
  volunteersRegistered: number
  volunteersEligible: number
  volunteersActive: number
  eldersRegistered: number
  carriers: number
  stationOperators: number
  depositedMinutes: number
  spentMinutes: number
}

/** Every child region identity names (with zeros when empty), with the ledger's minutes of
 *  the same child; a child only the ledger knows is added; ordered by code. */
export function childRows(identity: IdentityChild[], ledger: LedgerChild[] | undefined): ChildRow[] {
  const minutes = new Map((ledger ?? []).map((row) => [row.region_code, row]))
  const rows = new Map<string, ChildRow>()
  for (const child of identity) {
    const money = minutes.get(child.region_code)
    rows.set(child.region_code, {
      code: child.region_code, name: child.name ?? child.region_code,
      volunteersRegistered: child.volunteers_registered, volunteersEligible: child.volunteers_eligible,
      volunteersActive: child.volunteers_active, eldersRegistered: child.elders_registered,
      carriers: child.carriers, stationOperators: child.station_operators,
      depositedMinutes: money?.deposited_minutes ?? 0, spentMinutes: money?.spent_minutes ?? 0,
    })
  }
  for (const money of ledger ?? []) {
    if (rows.has(money.region_code)) continue
    rows.set(money.region_code, {
      code: money.region_code, name: money.name ?? money.region_code,
      volunteersRegistered: 0, volunteersEligible: 0, volunteersActive: 0, eldersRegistered: 0,
      carriers: 0, stationOperators: 0,
      depositedMinutes: money.deposited_minutes, spentMinutes: money.spent_minutes,
    })
  }
  return [...rows.values()].sort((a, b) => a.code.localeCompare(b.code))
}

/** Minutes as hours with one decimal, for a chart axis (the table shows hours and minutes). */
export function hours(minutes: number): number {
  return Math.round((minutes / 60) * 10) / 10
}

/** A share 0..1 as a percentage text, or a dash when unknown. */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—'
  return `${Math.round(rate * 1000) / 10}%`
}

/** An average score (1–5) with one decimal, or a dash. */
export function score(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  return value.toFixed(1)
}

/** Which sections are missing (a service did not answer in time). */
export function missing(stats: Schemas['SupervisionStatsOut']): string[] {
  return stats.unavailable
}

/** The service figures of the period: from reporting's read model (with how fresh it is), or
 *  from demand's own figures when reporting did not answer; null when neither did. */
export interface ServiceFigures {
  source: 'reporting' | 'demand'
  demands: number
  eldersServed: number
  evaluations: number
  averageScore: number | null
  disputesOpened: number
  disputesResolved: number
  asOf: string | null
  lagSeconds: number | null
}

export function serviceFigures(stats: Schemas['SupervisionStatsOut']): ServiceFigures | null {
  const model = stats.reporting
  if (model) {
    const total = (measure: string) => model.totals[measure] ?? 0
    return {
      source: 'reporting', demands: total('demands_submitted'), eldersServed: model.elders_served,
      evaluations: total('evaluations'), averageScore: model.average_score ?? null,
      disputesOpened: total('disputes_opened'), disputesResolved: total('disputes_resolved'),
      asOf: model.as_of ?? null, lagSeconds: model.lag_seconds ?? null,
    }
  }
  const demand = stats.demand
  if (!demand) return null
  return {
    source: 'demand', demands: demand.demands.total, eldersServed: demand.served.elders,
    evaluations: demand.satisfaction.evaluations, averageScore: demand.satisfaction.average_score ?? null,
    disputesOpened: demand.disputes.disputes_opened, disputesResolved: demand.disputes.disputes_resolved,
    asOf: null, lagSeconds: null,
  }
}
