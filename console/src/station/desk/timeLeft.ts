// How long a demand may still wait for review, as colour and words (never colour alone).
// The demand service escalates a demand still unreviewed REVIEW_ESCALATION_SECONDS after it was
// submitted (default 24 hours) to the township: that is the station's deadline.
import { formatMinutes, minutesUntil } from '@/format'

export const REVIEW_WITHIN_MINUTES = 24 * 60

export type Urgency = 'ok' | 'soon' | 'urgent' | 'overdue'

/** When the review is due: the submission time plus 24 hours. */
export function reviewDueAt(createdAt: string): Date {
  return new Date(new Date(createdAt).getTime() + REVIEW_WITHIN_MINUTES * 60_000)
}

/** Minutes left before the review is due (negative: overdue). */
export function reviewMinutesLeft(createdAt: string, now: Date = new Date()): number {
  return minutesUntil(reviewDueAt(createdAt).toISOString(), now)
}

/** overdue at 0 or less, urgent under 2 hours, soon under 8 hours, else ok. */
export function urgencyOf(minutesLeft: number): Urgency {
  if (minutesLeft <= 0) return 'overdue'
  if (minutesLeft < 120) return 'urgent'
  if (minutesLeft < 8 * 60) return 'soon'
  return 'ok'
}

/** "剩余 2 小时 10 分钟" / "2 h 10 min left"; "已超时 35 分钟" / "Overdue by 35 min". */
export function timeLeftWords(minutesLeft: number, locale: string): string {
  const zh = locale.startsWith('zh')
  if (minutesLeft <= 0) {
    const late = formatMinutes(-minutesLeft, locale)
    return zh ? `已超时 ${late}` : `Overdue by ${late}`
  }
  const left = formatMinutes(minutesLeft, locale)
  return zh ? `剩余 ${left}` : `${left} left`
}

/** The element-plus tag type of an urgency (the words carry the meaning too). */
export function urgencyTag(urgency: Urgency): 'success' | 'warning' | 'danger' | 'info' {
  return urgency === 'ok' ? 'success' : urgency === 'soon' ? 'warning' : 'danger'
}
