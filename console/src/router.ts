import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSession, homeFor } from '@/stores/session'
import stationRoutes from '@/station/routes'
import volunteerRoutes from '@/volunteer/routes'
import elderRoutes from '@/elder/routes'
import supervisorRoutes from '@/supervisor/routes'
import adminRoutes from '@/admin/routes'
import { onPasswordChangeRequired } from '@/api/session'
import { passwordGate, PASSWORD_ROUTE } from '@/login/password'

// Each surface declares its own routes (src/<surface>/routes.ts), loaded lazily so a surface's
// code and words download only when it is opened. meta.roles: who may open it.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/login/LoginView.vue'), meta: { public: true } },
  // 修改密码: any logged-in person (the staff header's menu); forced while a one-time password
  // is not yet changed (passwordGate below, and the API's 403 password_change_required)
  { path: '/password', name: PASSWORD_ROUTE, component: () => import('@/login/PasswordView.vue') },
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
  const gate = passwordGate({ name: to.name, public: to.meta.public }, session.mustChangePassword)
  if (gate) return gate
  const allowed = to.matched.flatMap((record) => (record.meta.roles as string[] | undefined) ?? [])
  if (allowed.length && !session.hasRole(...allowed)) return homeFor(session.roles)
  return true
})

// Any API call answered 403 password_change_required: the person is taken to the password page
// (with its notice), wherever they were.
onPasswordChangeRequired(() => {
  const session = useSession()
  session.mustChangePassword = true
  const current = router.currentRoute.value
  const gate = passwordGate({ name: current.name, public: current.meta.public }, true)
  if (gate) void router.replace(gate)
})

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: string[]
    title?: string
  }
}
