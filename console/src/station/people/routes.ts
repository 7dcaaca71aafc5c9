import type { RouteRecordRaw } from 'vue-router'

// children of /station
const routes: RouteRecordRaw[] = [
  { path: 'people', name: 'station-people', component: () => import('./PeopleView.vue') },
]
export default routes
