import type { RouteRecordRaw } from 'vue-router'

// children of /station: the demand day
const routes: RouteRecordRaw[] = [
  { path: '', name: 'station-home', component: () => import('./HomeView.vue') },
  { path: 'intake', name: 'station-intake', component: () => import('./IntakeView.vue') },
  { path: 'review', name: 'station-review', component: () => import('./ReviewView.vue') },
  { path: 'demands/:id', name: 'station-demand', component: () => import('./DemandView.vue'), props: true },
  { path: 'today', name: 'station-today', component: () => import('./TodayView.vue') },
  { path: 'record', name: 'station-record', component: () => import('./RecordView.vue') },
  { path: 'held', name: 'station-held', component: () => import('./HeldView.vue') },
]
export default routes
