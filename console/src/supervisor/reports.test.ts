import { describe, expect, it } from 'vitest'
import {
  ALL_MEASURES, DEFAULT_MEASURES, MEASURE_GROUPS, isMeasure, plotted, selectedGroups, shown, unitOf,
} from './measures'
import messages from './messages'
import openapi from '../../openapi.json'
import { reportExports, EXPORT_PATHS } from './reportExports'
import {
  breakdownLines, chartOf, defaultSpan, freshness, hasFigures, readState, seriesParams, sortValue, stateQuery,
  type BreakdownOut, type SeriesOut,
} from './reports'


describe('the measures', () => {
  it('offers every measure of reporting in exactly one group, each with its words', () => {
    const declared = openapi.paths['/api/v1/reports/series'].get.parameters
      .find((p) => p.name === 'measures')?.schema.items?.enum ?? []
    expect([...ALL_MEASURES].sort()).toEqual([...declared].sort())
    expect(new Set(ALL_MEASURES).size).toBe(ALL_MEASURES.length)
    for (const locale of ['zh-CN', 'en'] as const) {
      const words = messages[locale].supervisor.reports
      for (const m of ALL_MEASURES) expect(words.measures[m], `${locale} ${m}`).toBeTruthy()
      for (const g of MEASURE_GROUPS) expect(words.groups[g.key], `${locale} ${g.key}`).toBeTruthy()
    }
    expect(DEFAULT_MEASURES.every(isMeasure)).toBe(true)
  })
  it('shows minutes as hours with one decimal, counts as they are', () => {
    expect(unitOf('service_minutes')).toBe('minutes')
    expect(unitOf('minutes_credited')).toBe('minutes')
    expect(unitOf('services_recorded')).toBe('count')
    expect(plotted('service_minutes', 1230)).toBe(20.5)
    expect(plotted('service_minutes', 100)).toBe(1.7)
    expect(plotted('services_recorded', 1230)).toBe(1230)
    expect(shown('service_minutes', 75_000, 'zh-CN')).toBe('1,250.0')
    expect(shown('services_recorded', 12345, 'en')).toBe('12,345')
    expect(shown('services_recorded', undefined, 'en')).toBe('0')
  })
  it('groups the selection in the groups’ order', () => {
    expect(selectedGroups(['elders_registered', 'service_minutes', 'services_recorded']).map((g) => [g.key, g.measures]))
      .toEqual([['services', ['services_recorded']], ['time', ['service_minutes']], ['people', ['elders_registered']]])
  })
})

describe('the page’s state', () => {
  it('starts with the last 12 months by month and the default measures', () => {
    expect(defaultSpan('2026-12-07')).toEqual({ from: '2026-01-01', to: '2026-12-07' })
    expect(defaultSpan('2026-03-31')).toEqual({ from: '2025-04-01', to: '2026-03-31' })
    expect(defaultSpan('2026-11-30')).toEqual({ from: '2025-12-01', to: '2026-11-30' })
    expect(readState({}, '2026-12-07')).toEqual({
      period: 'month', from: '2026-01-01', to: '2026-12-07', measures: DEFAULT_MEASURES,
    })
  })
  it('reads the URL and leaves out what is not valid', () => {
    const state = readState({ period: 'quarter', from: '2025-01-01', to: 'x', measures: 'service_minutes,nonsense,service_minutes' },
      '2026-12-07')
    expect(state).toEqual({ period: 'quarter', from: '2025-01-01', to: '2026-12-07', measures: ['service_minutes'] })
    expect(readState({ period: 'decade', measures: 'nonsense' }, '2026-12-07').period).toBe('month')
    expect(readState(stateQuery(state), '2026-12-07')).toEqual(state)
  })
  it('asks for the measures chosen', () => {
    const state = readState({ period: 'week', measures: 'services_recorded,active_volunteers' }, '2026-12-07')
    expect(seriesParams('130100000000', state)).toEqual({
      region_code: '130100000000', period: 'week', from: '2026-01-01', to: '2026-12-07',
      measures: ['services_recorded', 'active_volunteers'],
    })
  })
})

const series: SeriesOut = {
  region_code: '130000000000', period: 'month', measures: ['service_minutes', 'services_recorded'],
  as_of: '2026-12-01T02:32:10Z', lag_seconds: 3.4,
  rows: [
    { period: '2026-10', start: '2026-10-01', end: '2026-10-31', values: { service_minutes: 90, services_recorded: 2 } },
    { period: '2026-11', start: '2026-11-01', end: '2026-11-30', values: { service_minutes: 0, services_recorded: 0 } },
  ],
}

describe('the charts and the table', () => {
  it('plots one line per measure of a group over the periods', () => {
    const time = MEASURE_GROUPS.find((g) => g.key === 'time')!
    expect(chartOf(time, series)).toEqual({ categories: ['2026-10', '2026-11'], series: [{ measure: 'service_minutes', values: [1.5, 0] }] })
    expect(hasFigures(series, ['service_minutes'])).toBe(true)
    expect(hasFigures(series, ['elders_registered'])).toBe(false)
  })
  it('lists every child region, with zeros where nothing happened, and sorts by a measure', () => {
    const breakdown: BreakdownOut = {
      region_code: '130000000000', from: '2026-01-01', to: '2026-12-07', as_of: null, lag_seconds: null,
      rows: [{ region_code: '130100000000', values: { services_recorded: 1 } },
             { region_code: '130200000000', values: { services_recorded: 5 } },
             { region_code: '139900000000', values: {} }],
    }
    const lines = breakdownLines(breakdown, [{ code: '130100000000', name: '石家庄市' },
      { code: '130181000000', name: '辛集市' }, { code: '130200000000', name: '唐山市' }])
    expect(lines.map((l) => l.name)).toEqual(['石家庄市', '辛集市', '唐山市', '139900000000'])
    expect(lines[1].values).toEqual({})
    expect([...lines].sort(sortValue('services_recorded')).map((l) => l.code))
      .toEqual(['130181000000', '139900000000', '130100000000', '130200000000'])
  })
})

describe('freshness', () => {
  it('says when the figures are from, in China time, and how far behind', () => {
    expect(freshness('2026-12-01T02:32:10Z', 3.4, 'zh-CN')).toEqual({ asOf: '2026-12-01 10:32', lag: '3 秒', stale: false })
    expect(freshness('2026-12-01T02:32:10Z', 299, 'zh-CN').lag).toBe('4 分钟')
    expect(freshness('2026-12-01T02:32:10Z', 301, 'en')).toEqual({ asOf: '2026-12-01 10:32', lag: '5 min', stale: true })
    expect(freshness('2026-12-01T02:32:10Z', 3 * 3600 + 120, 'zh-CN').lag).toBe('3 小时 2 分钟')
    expect(freshness('2026-12-01T02:32:10Z', 3 * 86400, 'en').lag).toBe('3 days')
    expect(freshness(null, null, 'zh-CN')).toEqual({ asOf: null, lag: null, stale: false })
  })
})

describe('the export buttons', () => {
  it('are wired exactly when the gateway declares the export routes', () => {
    const declared = EXPORT_PATHS.every((path) => path in openapi.paths)
    // the export routes are declared: the buttons are wired (reportExports.ts)
    expect(reportExports !== null).toBe(declared)
  })
})
