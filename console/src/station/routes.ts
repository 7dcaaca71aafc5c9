import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/station',
    component: () => import('./Layout.vue'),
    meta: { roles: ['station_operator', 'province_admin', 'city_admin', 'county_admin', 'township_admin'] },
    children: [
      { path: '', name: 'station-home', component: () => import('./HomeView.vue') },
    ],
  },
]
export default routes
