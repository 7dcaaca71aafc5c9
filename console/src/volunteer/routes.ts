import type { RouteRecordRaw } from 'vue-router'

// The volunteer's phone surface: tasks (the feed), my services (check-in/out), the time
// account, giving and the certificate, messages and settings, eligibility.
const routes: RouteRecordRaw[] = [
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
