import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/admin',
    component: () => import('./Layout.vue'),
    meta: { roles: ['province_admin', 'city_admin', 'county_admin', 'township_admin'] },
    children: [
      { path: '', name: 'admin-home', component: () => import('./HomeView.vue') },
    ],
  },
]
export default routes
