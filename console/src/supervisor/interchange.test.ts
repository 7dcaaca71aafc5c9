import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/errors'
import messages from './interchangeMessages'
import {
  channelSummaries, completeMonths, differenceGap, hasRole, hours, isReportMissing, recentSpan, monthLabel, monthSpan,
  NATIONAL_EXPORTERS, spanProblem, stars, ZYH_REPLAYERS,
} from './interchange'

describe('months', () => {
  it('offers only complete months, newest first, across a year', () => {
    expect(completeMonths('2026-12-07', 3)).toEqual(['2026-11', '2026-10', '2026-09'])
    expect(completeMonths('2027-01-01', 2)).toEqual(['2026-12', '2026-11'])
  })
  it('names a month and spans it', () => {
    expect(monthLabel('2026-11', 'zh-CN')).toBe('2026年11月')
    expect(monthLabel('2026-02', 'en')).toBe('Feb 2026')
    expect(monthSpan('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(recentSpan('2026-12-07')).toEqual({ from: '2026-11-01', to: '2026-12-07' })
    expect(recentSpan('2027-01-31')).toEqual({ from: '2026-12-01', to: '2027-01-31' })
  })
  it('tells a report not made yet from other errors', () => {
    expect(isReportMissing(new ApiError(404, { error: 'report_not_found' }))).toBe(true)
    expect(isReportMissing(new ApiError(404, { error: 'not_found' }))).toBe(false)
    expect(isReportMissing(new ApiError(403, { error: 'out_of_scope' }))).toBe(false)
  })
})

describe('spans and figures', () => {
  it('refuses a reversed or malformed span before asking', () => {
    expect(spanProblem('2026-11-01', '2026-11-30')).toBeNull()
    expect(spanProblem('2026-12-01', '2026-11-30')).toBe('reversed')
    expect(spanProblem('2026-1-1', '2026-11-30')).toBe('badDate')
  })
  it('shows minutes as hours with one decimal and stars for levels', () => {
    expect(hours(90, 'zh-CN')).toBe('1.5')
    expect(hours(600_000, 'en')).toBe('10,000.0')
    expect(hours(null, 'en')).toBe('—')
    expect(stars(3)).toBe('★★★')
  })
})

describe('who may', () => {
  it('export for the national system (admins) and replay 志愿汇 (province admins)', () => {
    expect(hasRole(['township_admin'], NATIONAL_EXPORTERS)).toBe(true)
    expect(hasRole(['auditor'], NATIONAL_EXPORTERS)).toBe(false)
    expect(hasRole(['city_admin'], ZYH_REPLAYERS)).toBe(false)
    expect(hasRole(['province_admin'], ZYH_REPLAYERS)).toBe(true)
    expect(hasRole(undefined, ZYH_REPLAYERS)).toBe(false)
  })
})

describe('reconciliation', () => {
  it('sums up each channel and how many differences are not listed', () => {
    const [zyh, national] = channelSummaries({
      region_code: '130000000000', from: '2026-11-01', to: '2026-11-30', ledger: { records: 3, minutes: 180 },
      channels: [
        { channel: 'zyh', ok: false, difference_count: 1002, delivered: { records: 2, minutes: 120 }, ledger: { records: 3, minutes: 180 },
          differences: [{ record_id: 'r1', kind: 'missing_from_channel', ledger_minutes: 60, delivered_minutes: null }] },
        { channel: 'national', ok: true, difference_count: 0, delivered: { records: 3, minutes: 180 }, ledger: { records: 3, minutes: 180 }, differences: [] },
      ],
    })
    expect(zyh).toMatchObject({ channel: 'zyh', ok: false, hidden: 1001 })
    expect(national).toMatchObject({ ok: true, hidden: 0, differences: [] })
  })
  it('gives each difference its gap, delivered minus credited', () => {
    expect(differenceGap({ record_id: 'a', kind: 'minutes_differ', ledger_minutes: 60, delivered_minutes: 45 })).toBe(-15)
    expect(differenceGap({ record_id: 'b', kind: 'missing_from_channel', ledger_minutes: 60, delivered_minutes: null })).toBe(-60)
    expect(differenceGap({ record_id: 'c', kind: 'delivered_not_credited', ledger_minutes: null, delivered_minutes: 30 })).toBe(30)
  })
  it('names every difference kind in both languages', () => {
    for (const kind of ['missing_from_channel', 'minutes_differ', 'delivered_not_credited'] as const) {
      expect(messages['zh-CN'].supervisor.interchange.kinds[kind]).toMatch(/[\u4e00-\u9fff]/)
      expect(messages.en.supervisor.interchange.kinds[kind]).toMatch(/[a-z]/)
    }
  })
})
