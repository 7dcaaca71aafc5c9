// How the console shows minutes, dates and times: hours and minutes, China time (Asia/Shanghai)
// whatever the browser's zone, dates as people expect them (2026年12月7日 09:30).

export const CHINA_TIME_ZONE = 'Asia/Shanghai'

export type Locale = 'zh-CN' | 'en'

function isZh(locale: string): boolean {
  return locale.startsWith('zh')
}

/** 750 → "12 小时 30 分钟" / "12 h 30 min"; 0 → "0 分钟" / "0 min"; negative keeps its sign. */
export function formatMinutes(minutes: number | null | undefined, locale: string = 'zh-CN'): string {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return '—'
  const sign = minutes < 0 ? '-' : ''
  const total = Math.abs(Math.trunc(minutes))
  const hours = Math.floor(total / 60)
  const rest = total % 60
  const zh = isZh(locale)
  const parts: string[] = []
  if (hours) parts.push(zh ? `${hours} 小时` : `${hours} h`)
  if (rest || !hours) parts.push(zh ? `${rest} 分钟` : `${rest} min`)
  return sign + parts.join(' ')
}

/** Minutes in words a person reads aloud: "12 小时 30 分钟" / "12 hours 30 minutes". */
export function spokenMinutes(minutes: number, locale: string = 'zh-CN'): string {
  if (isZh(locale)) return formatMinutes(minutes, locale)
  const total = Math.max(0, Math.trunc(minutes))
  const hours = Math.floor(total / 60)
  const rest = total % 60
  const parts: string[] = []
  if (hours) parts.push(`${hours} ${hours === 1 ? 'hour' : 'hours'}`)
  if (rest || !hours) parts.push(`${rest} ${rest === 1 ? 'minute' : 'minutes'}`)
  return parts.join(' ')
}

interface ChinaParts {
  year: string
  month: string
  day: string
  hour: string
  minute: string
  weekday: number
}

function chinaParts(value: string | Date): ChinaParts | null {
  const date = typeof value === 'string' ? new Date(value) : value
  if (Number.isNaN(date.getTime())) return null
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: CHINA_TIME_ZONE, year: 'numeric', month: 'numeric', day: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short',
  }).formatToParts(date)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'),
           minute: get('minute'), weekday: weekdays.indexOf(get('weekday')) }
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const ZH_WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

/** "2026年12月7日" / "7 Dec 2026" (China date). */
export function formatDate(value: string | Date | null | undefined, locale: string = 'zh-CN'): string {
  if (!value) return '—'
  const p = chinaParts(value)
  if (!p) return '—'
  return isZh(locale) ? `${p.year}年${p.month}月${p.day}日` : `${p.day} ${EN_MONTHS[Number(p.month) - 1]} ${p.year}`
}

/** "2026年12月7日 09:30" / "7 Dec 2026, 09:30" (China time). */
export function formatDateTime(value: string | Date | null | undefined, locale: string = 'zh-CN'): string {
  if (!value) return '—'
  const p = chinaParts(value)
  if (!p) return '—'
  const time = `${p.hour}:${p.minute}`
  return isZh(locale) ? `${formatDate(value, locale)} ${time}` : `${formatDate(value, locale)}, ${time}`
}

/** "09:30" (China time). */
export function formatTime(value: string | Date | null | undefined): string {
  if (!value) return '—'
  const p = chinaParts(value)
  return p ? `${p.hour}:${p.minute}` : '—'
}

/** "12月7日 星期一 09:30" for the elder's and volunteer's lists. */
export function formatDayAndTime(value: string | Date | null | undefined, locale: string = 'zh-CN'): string {
  if (!value) return '—'
  const p = chinaParts(value)
  if (!p) return '—'
  if (isZh(locale)) return `${p.month}月${p.day}日 星期${ZH_WEEKDAYS[p.weekday]} ${p.hour}:${p.minute}`
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  return `${days[p.weekday]} ${p.day} ${EN_MONTHS[Number(p.month) - 1]}, ${p.hour}:${p.minute}`
}

/** A China-time date ("2026-12-07") and time ("09:30") as an ISO 8601 instant with offset. */
export function chinaInstant(date: string, time: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) {
    throw new Error(`not a date and time: ${date} ${time}`)
  }
  return `${date}T${time}:00+08:00`
}

/** Today's date in China ("2026-12-07"), for pickers and "today's services". */
export function chinaToday(now: Date = new Date()): string {
  const p = chinaParts(now)!
  return `${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')}`
}

/** Minutes left until an instant, for time-left colouring (negative when past). */
export function minutesUntil(value: string, now: Date = new Date()): number {
  return Math.round((new Date(value).getTime() - now.getTime()) / 60000)
}
