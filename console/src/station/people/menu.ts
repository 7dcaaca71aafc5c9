import type { MenuItem } from '@/components/StaffLayout.vue'

export function peopleMenu(t: (key: string) => string): MenuItem[] {
  return [
    { to: '/station/people', label: t('station.people.menu.people') },
    { to: '/station/imports', label: t('station.imports.menu') },
    { to: '/station/interest', label: t('station.people.menu.interest') },
    { to: '/station/calls', label: t('station.people.menu.calls') },
    { to: '/station/evaluations', label: t('station.people.menu.evaluations') },
    { to: '/station/disputes', label: t('station.people.menu.disputes') },
    { to: '/station/certificates', label: t('station.people.menu.certificates') },
  ]
}
