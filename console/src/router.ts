import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession, homeFor } from '@/stores/session'
import stationRoutes from '@/station/routes'
import volunteerRoutes from '@/volunteer/routes'
import elderRoutes from '@/elder/routes'
import supervisorRoutes from '@/supervisor/routes'
import adminRoutes from '@/admin/routes'

// Each surface declares its own routes (src/<surface>/routes.ts), loaded lazily so a surface's
// code and words download only when it is opened. meta.roles: who may open it.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/login/LoginView.vue'), meta: { public: true } },
  { path: '/', name: 'home', redirect: () => homeFor(useSession().roles) },
  ...stationRoutes,
  ...volunteerRoutes,
  ...elderRoutes,
  ...supervisorRoutes,
  ...adminRoutes,
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/components/NotFound.vue'), meta: { public: true } },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const session = useSession()
  if (!(await session.restore())) {
    return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  }
  const allowed = to.matched.flatMap((record) => (record.meta.roles as string[] | undefined) ?? [])
  if (allowed.length && !session.hasRole(...allowed)) return homeFor(session.roles)
  return true
})

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: string[]
    title?: string
  }
}
