import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/elder',
    component: () => import('./Layout.vue'),
    meta: { roles: ['elder', 'relative'] },
    children: [
      { path: '', name: 'elder-home', component: () => import('./HomeView.vue') },
    ],
  },
]
export default routes
