import type { MenuItem } from '@/components/StaffLayout.vue'

export function peopleMenu(t: (key: string) => string): MenuItem[] {
  return [{ to: '/station/people', label: t('station.people.home') }]
}
