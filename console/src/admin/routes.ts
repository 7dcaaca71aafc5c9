import type { RouteRecordRaw } from 'vue-router'

// The administrator's surface: staff grants, municipal API clients, regional policies, the
// service catalogue and the message templates.
const routes: RouteRecordRaw[] = [
  {
    path: '/admin',
    component: () => import('./Layout.vue'),
    meta: { roles: ['province_admin', 'city_admin', 'county_admin', 'township_admin'] },
    children: [
      { path: '', name: 'admin-home', redirect: '/admin/operators' },
      { path: 'operators', name: 'admin-operators', component: () => import('./OperatorsView.vue') },
      { path: 'clients', name: 'admin-clients', component: () => import('./ClientsView.vue'), meta: { roles: ['province_admin', 'city_admin'] } },
      { path: 'policies', name: 'admin-policies', component: () => import('./PoliciesView.vue') },
      { path: 'catalog', name: 'admin-catalog', component: () => import('./CatalogView.vue') },
      { path: 'templates', name: 'admin-templates', component: () => import('./TemplatesView.vue'), meta: { roles: ['province_admin', 'city_admin', 'county_admin'] } },
    ],
  },
]
export default routes
