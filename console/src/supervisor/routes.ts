import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/supervisor',
    component: () => import('./Layout.vue'),
    meta: { roles: ['province_admin', 'city_admin', 'county_admin', 'township_admin', 'auditor'] },
    children: [
      { path: '', name: 'supervisor-home', component: () => import('./HomeView.vue') },
    ],
  },
]
export default routes
