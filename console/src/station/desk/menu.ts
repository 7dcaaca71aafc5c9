import type { MenuItem } from '@/components/StaffLayout.vue'

export function deskMenu(t: (key: string) => string): MenuItem[] {
  return [
    { to: '/station', label: t('station.desk.home') },
    { to: '/station/intake', label: t('station.desk.intake') },
    { to: '/station/review', label: t('station.desk.review') },
    { to: '/station/today', label: t('station.desk.today') },
    { to: '/station/record', label: t('station.desk.record') },
    { to: '/station/held', label: t('station.desk.held') },
  ]
}
