import type { RouteRecordRaw } from 'vue-router'

// children of /station: people (and residents' wishes to volunteer), and the follow-up work (calls, evaluations by phone,
// disputes, certificates)
const routes: RouteRecordRaw[] = [
  { path: 'people', name: 'station-people', component: () => import('./PeopleView.vue') },
  { path: 'people/elders/:id', name: 'station-elder', component: () => import('./ElderView.vue'), props: true },
  { path: 'people/volunteers/new', name: 'station-volunteer-new', component: () => import('./RegisterVolunteerView.vue') },
  { path: 'imports', name: 'station-imports', component: () => import('./ImportsView.vue') },
  { path: 'interest', name: 'station-interest', component: () => import('./InterestView.vue') },
  { path: 'people/volunteers/:id', name: 'station-volunteer', component: () => import('./VolunteerView.vue'), props: true },
  { path: 'calls', name: 'station-calls', component: () => import('./CallTasksView.vue') },
  { path: 'evaluations', name: 'station-evaluations', component: () => import('./EvaluationsView.vue') },
  { path: 'disputes', name: 'station-disputes', component: () => import('./DisputesView.vue') },
  { path: 'certificates', name: 'station-certificates', component: () => import('./CertificatesView.vue') },
]
export default routes
