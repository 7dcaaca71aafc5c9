import type { RouteRecordRaw } from 'vue-router'

// children of /station
const routes: RouteRecordRaw[] = [
  { path: '', name: 'station-home', component: () => import('./HomeView.vue') },
]
export default routes
