import type { RouteRecordRaw } from 'vue-router'

// 长辈模式: the elder, or a proxy relative for the elder they choose.
const routes: RouteRecordRaw[] = [
  {
    path: '/elder',
    component: () => import('./Layout.vue'),
    meta: { roles: ['elder', 'relative'] },
    children: [
      { path: '', name: 'elder-home', component: () => import('./HomeView.vue') },
      { path: 'ask', name: 'elder-ask', component: () => import('./AskView.vue') },
      { path: 'confirm', name: 'elder-confirm', component: () => import('./ConfirmView.vue') },
      { path: 'choose', name: 'elder-choose', component: () => import('./ChooseView.vue') },
    ],
  },
]
export default routes
