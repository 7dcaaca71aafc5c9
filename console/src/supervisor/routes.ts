import type { RouteRecordRaw } from 'vue-router'

// The supervisor surface: the dashboard of the caller's region with drill-down
// (/supervisor/:region), the reports (/supervisor/reports[/:region]), the monthly reports, the
// commendation lists, the data interchange (national system, 志愿汇, reconciliation), the audit log and the township's dispute queue.
const routes: RouteRecordRaw[] = [
  {
    path: '/supervisor',
    component: () => import('./Layout.vue'),
    meta: { roles: ['province_admin', 'city_admin', 'county_admin', 'township_admin', 'auditor'] },
    children: [
      { path: '', name: 'supervisor-home', component: () => import('./DashboardView.vue') },
      { path: 'audit', name: 'supervisor-audit', component: () => import('./AuditView.vue') },
      { path: 'reports', name: 'supervisor-reports', component: () => import('./ReportsView.vue') },
      { path: 'reports/:region(\\d{12})', name: 'supervisor-reports-region', component: () => import('./ReportsView.vue') },
      { path: 'monthly', name: 'supervisor-monthly', component: () => import('./MonthlyView.vue') },
      { path: 'commendation', name: 'supervisor-commendation', component: () => import('./CommendationView.vue') },
      { path: 'interchange', name: 'supervisor-interchange', component: () => import('./InterchangeView.vue') },
      { path: 'disputes', name: 'supervisor-disputes', component: () => import('./DisputesView.vue') },
      { path: ':region(\\d{12})', name: 'supervisor-region', component: () => import('./DashboardView.vue') },
    ],
  },
]
export default routes
