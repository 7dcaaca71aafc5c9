import { describe, expect, it } from 'vitest'
import messages from './messages'
import { asFlags, explainFlag, KNOWN_FLAGS } from './flags'

// vue-i18n's named interpolation, enough for these words: look the key up, fill {name}.
function translator(locale: 'zh-CN' | 'en') {
  return (key: string, params: Record<string, unknown> = {}) => {
    let node: unknown = messages[locale]
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
    if (typeof node !== 'string') return key
    return node.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
  }
}

describe('held-record flags in plain words', () => {
  const zh = translator('zh-CN')
  const en = translator('en')

  it('has words for every flag the demand service defines, in both languages', () => {
    for (const code of KNOWN_FLAGS) {
      for (const t of [zh, en]) {
        const shown = explainFlag({ code, details: {} }, t, 'zh-CN')
        expect(shown.title).not.toContain('station.desk')
        expect(shown.check).not.toContain('station.desk')
      }
    }
  })

  it('explains a backdated check-in with the skew in hours and minutes', () => {
    const flag = { code: 'device_time_skewed', details: { check_in_skew_minutes: -420, check_out_skew_minutes: -120, limit_minutes: 10 } }
    const shown = explainFlag(flag, zh, 'zh-CN')
    expect(shown.title).toBe('手机时间与服务器不一致')
    expect(shown.text).toContain('签到时间早了 7 小时')
    expect(shown.text).toContain('签退时间早了 2 小时')
    expect(shown.text).toContain('允许相差 10 分钟')
    expect(explainFlag(flag, en, 'en').text).toContain('check-in time 7 h early')
  })

  it('names the missing location step and the check-out distance', () => {
    expect(explainFlag({ code: 'location_missing', details: { missing: ['check_in'] } }, zh, 'zh-CN').text)
      .toBe('签到时手机没有上报位置，无法确认是否在老人家。')
    expect(explainFlag({ code: 'location_missing', details: { missing: ['check_in', 'check_out'] } }, en, 'en').text)
      .toContain('at check-in and check-out')
    expect(explainFlag({ code: 'checkout_far_from_address', details: { distance_m: 5560, limit_m: 500 } }, zh, 'zh-CN').text)
      .toBe('签退地点离老人家约 5560 米，超过允许的 500 米。')
  })

  it('says how far outside the window', () => {
    const text = explainFlag({ code: 'presence_outside_window', details: { minutes_after_end: 95, tolerance_minutes: 30 } }, zh, 'zh-CN').text
    expect(text).toBe('签退比服务时段结束晚了 1 小时 35 分钟（允许 30 分钟）。')
  })

  it('falls back to the text the service sent for a flag it does not know', () => {
    const shown = explainFlag({ code: 'something_new', zh: '新的情况', en: 'A new case' }, en, 'en')
    expect(shown.title).toBe('A new case')
  })

  it('narrows raw flags', () => {
    expect(asFlags([{ code: 'direct_relatives', zh: 'a', en: 'b', details: {} }])[0].code).toBe('direct_relatives')
    expect(asFlags(undefined)).toEqual([])
  })
})
