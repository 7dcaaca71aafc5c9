// A held record's flags in plain words for the second look: what the evidence shows, with its
// figures (metres, minutes as hours and minutes), and what to check. The words live in
// messages.ts (station.desk.flags.<code>); a flag this console does not know yet is shown with
// the text the demand service sends with it (each flag carries zh and en).
import { formatMinutes } from '@/format'

export interface Flag {
  code: string
  zh?: string
  en?: string
  details?: Record<string, unknown>
}

export type Translate = (key: string, params?: Record<string, unknown>) => string

export interface ExplainedFlag {
  code: string
  title: string
  text: string
  check: string
}

/** Every flag code the demand service defines (services/demand/demand/domain/evidence.py). */
export const KNOWN_FLAGS = [
  'no_presence_evidence', 'check_in_too_far', 'duration_off_expected', 'minutes_exceed_presence',
  'overlapping_record', 'direct_relatives', 'daily_maximum_exceeded', 'location_missing',
  'checkout_far_from_address', 'device_time_skewed', 'presence_outside_window',
] as const

function num(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isFinite(n) ? n : null
}

/** "早 7 小时" / "7 h earlier" for a device-minus-server skew in minutes. */
function skewWords(minutes: number, t: Translate, locale: string): string {
  const amount = formatMinutes(Math.abs(minutes), locale)
  return t(minutes < 0 ? 'station.desk.flags.earlier' : 'station.desk.flags.later', { amount })
}

function detailText(flag: Flag, t: Translate, locale: string): string {
  const d = flag.details ?? {}
  const k = `station.desk.flags.${flag.code}.text`
  const minutes = (value: unknown) => formatMinutes(num(value) ?? 0, locale)
  switch (flag.code) {
    case 'check_in_too_far':
    case 'checkout_far_from_address':
      return t(k, { distance: num(d.distance_m) ?? '?', limit: num(d.limit_m) ?? '?' })
    case 'duration_off_expected':
      return t(k, { ratio: num(d.ratio) ?? '?', min: num(d.min_ratio) ?? '?', max: num(d.max_ratio) ?? '?' })
    case 'minutes_exceed_presence':
      return t(k, { present: minutes(d.present_minutes), tolerance: minutes(d.tolerance_minutes) })
    case 'daily_maximum_exceeded':
      return t(k, { total: minutes(d.day_minutes), limit: minutes(d.limit_minutes) })
    case 'location_missing': {
      const missing = Array.isArray(d.missing) ? d.missing.map(String) : []
      const steps = missing.map((step) => t(`station.desk.flags.steps.${step}`))
      return t(k, { steps: steps.join(t('station.desk.flags.and')) || t('station.desk.flags.steps.check_in') })
    }
    case 'device_time_skewed': {
      const parts: string[] = []
      const inSkew = num(d.check_in_skew_minutes)
      const outSkew = num(d.check_out_skew_minutes)
      if (inSkew !== null) parts.push(t('station.desk.flags.skewAt', { step: t('station.desk.flags.steps.check_in'), skew: skewWords(inSkew, t, locale) }))
      if (outSkew !== null) parts.push(t('station.desk.flags.skewAt', { step: t('station.desk.flags.steps.check_out'), skew: skewWords(outSkew, t, locale) }))
      return t(k, { skews: parts.join(t('station.desk.flags.separator')), limit: minutes(d.limit_minutes) })
    }
    case 'presence_outside_window': {
      const parts: string[] = []
      const before = num(d.minutes_before_start)
      const after = num(d.minutes_after_end)
      if (before !== null) parts.push(t('station.desk.flags.beforeStart', { amount: minutes(before) }))
      if (after !== null) parts.push(t('station.desk.flags.afterEnd', { amount: minutes(after) }))
      return t(k, { when: parts.join(t('station.desk.flags.separator')), tolerance: minutes(d.tolerance_minutes) })
    }
    default:
      return t(k)
  }
}

/** The flag explained: its title, what the evidence shows, and what the reviewer should check. */
export function explainFlag(flag: Flag, t: Translate, locale: string): ExplainedFlag {
  const known = (KNOWN_FLAGS as readonly string[]).includes(flag.code)
  const own = (locale.startsWith('zh') ? flag.zh || flag.en : flag.en || flag.zh) ?? ''
  if (!known) {
    return { code: flag.code, title: own || t('station.desk.flags.unknown'), text: own, check: t('station.desk.flags.unknownCheck') }
  }
  return {
    code: flag.code,
    title: t(`station.desk.flags.${flag.code}.title`),
    text: detailText(flag, t, locale),
    check: t(`station.desk.flags.${flag.code}.check`),
  }
}

/** A record's flags as they come (objects of any shape) narrowed to Flag. */
export function asFlags(raw: ReadonlyArray<Record<string, unknown>> | undefined): Flag[] {
  return (raw ?? []).map((f) => ({
    code: String(f.code ?? ''),
    zh: typeof f.zh === 'string' ? f.zh : undefined,
    en: typeof f.en === 'string' ? f.en : undefined,
    details: f.details && typeof f.details === 'object' ? (f.details as Record<string, unknown>) : {},
  }))
}
