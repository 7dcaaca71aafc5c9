import type { RouteRecordRaw } from 'vue-router'
import deskRoutes from './desk/routes'
import peopleRoutes from './people/routes'

// The station desk: the demand day (desk/: intake, review, assignment, today's services,
// recording, held records) and the people and follow-up work (people/: people, call tasks,
// evaluations by phone, disputes, certificates).
const routes: RouteRecordRaw[] = [
  {
    path: '/station',
    component: () => import('./Layout.vue'),
    meta: { roles: ['station_operator', 'province_admin', 'city_admin', 'county_admin', 'township_admin'] },
    children: [...deskRoutes, ...peopleRoutes],
  },
]
export default routes
