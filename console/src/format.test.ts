import { describe, expect, it } from 'vitest'
import {
  chinaInstant, chinaToday, formatDate, formatDateTime, formatDayAndTime, formatMinutes,
  formatTime, minutesUntil, spokenMinutes,
} from './format'

describe('minutes', () => {
  it('shows hours and minutes in Chinese first', () => {
    expect(formatMinutes(750)).toBe('12 小时 30 分钟')
    expect(formatMinutes(120)).toBe('2 小时')
    expect(formatMinutes(45)).toBe('45 分钟')
    expect(formatMinutes(0)).toBe('0 分钟')
    expect(formatMinutes(-90)).toBe('-1 小时 30 分钟')
    expect(formatMinutes(null)).toBe('—')
  })
  it('and in English', () => {
    expect(formatMinutes(750, 'en')).toBe('12 h 30 min')
    expect(formatMinutes(60, 'en')).toBe('1 h')
  })
  it('reads aloud', () => {
    expect(spokenMinutes(750)).toBe('12 小时 30 分钟')
    expect(spokenMinutes(61, 'en')).toBe('1 hour 1 minute')
    expect(spokenMinutes(0, 'en')).toBe('0 minutes')
  })
})

describe('China time', () => {
  it('shows an instant in China time whatever its offset', () => {
    expect(formatDateTime('2026-12-07T01:30:00Z')).toBe('2026年12月7日 09:30')
    expect(formatDateTime('2026-12-06T23:05:00+00:00')).toBe('2026年12月7日 07:05')
    expect(formatDateTime('2026-12-07T01:30:00Z', 'en')).toBe('7 Dec 2026, 09:30')
    expect(formatDate('2026-12-31T16:00:00Z')).toBe('2027年1月1日')
    expect(formatTime('2026-12-07T01:30:00Z')).toBe('09:30')
    expect(formatDayAndTime('2026-12-07T01:30:00Z')).toBe('12月7日 星期一 09:30')
  })
  it('refuses what is not a date', () => {
    expect(formatDateTime('yesterday')).toBe('—')
    expect(formatDateTime(null)).toBe('—')
    expect(() => chinaInstant('2026-12-7', '9:30')).toThrow()
  })
  it('builds instants and today in China', () => {
    expect(chinaInstant('2026-12-07', '09:30')).toBe('2026-12-07T09:30:00+08:00')
    expect(chinaToday(new Date('2026-12-06T17:00:00Z'))).toBe('2026-12-07')
    expect(minutesUntil('2026-12-07T02:00:00Z', new Date('2026-12-07T01:00:00Z'))).toBe(60)
  })
})
