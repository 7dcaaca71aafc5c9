import type { RouteRecordRaw } from 'vue-router'

// The volunteer's phone surface: tasks (the feed), my services (check-in/out), the time
// account, giving and the certificate, messages and settings, eligibility; and, for anyone,
// 我要当志愿者 (register interest without a login).
const routes: RouteRecordRaw[] = [
  { path: '/join', name: 'volunteer-join', component: () => import('./JoinView.vue'), meta: { public: true } },
  {
    path: '/volunteer',
    component: () => import('./Layout.vue'),
    meta: { roles: ['volunteer'] },
    children: [
      { path: '', name: 'volunteer-home', component: () => import('./FeedView.vue') },
      { path: 'services', name: 'volunteer-services', component: () => import('./ServicesView.vue') },
      { path: 'account', name: 'volunteer-account', component: () => import('./AccountView.vue') },
      { path: 'give', name: 'volunteer-give', component: () => import('./GiveView.vue') },
      { path: 'inbox', name: 'volunteer-inbox', component: () => import('./InboxView.vue') },
      { path: 'settings', name: 'volunteer-settings', component: () => import('./SettingsView.vue') },
      { path: 'eligibility', name: 'volunteer-eligibility', component: () => import('./EligibilityView.vue') },
    ],
  },
]
export default routes
