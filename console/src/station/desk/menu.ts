import type { MenuItem } from '@/components/StaffLayout.vue'

export function deskMenu(t: (key: string) => string): MenuItem[] {
  return [{ to: '/station', label: t('station.desk.home') }]
}
