import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/volunteer',
    component: () => import('./Layout.vue'),
    meta: { roles: ['volunteer'] },
    children: [
      { path: '', name: 'volunteer-home', component: () => import('./HomeView.vue') },
    ],
  },
]
export default routes
