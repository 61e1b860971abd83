// Pages: the login, the command centre, the dashboards, the case desk (the caller's cases, filtered), one case and the
// registers of the grid; every page but the login needs a session.
import { watch } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { session } from './api'
import LoginView from './views/LoginView.vue'

/** Who lands on the command centre rather than the case desk. */
export const COMMAND_ROLES = ['city_admin', 'shift_supervisor']
/** Where an account starts: the command centre, a grid worker's phone page, or the case desk. */
export function landing(role: string | undefined): string {
  if (COMMAND_ROLES.includes(role ?? '')) return '/command'
  if (role === 'grid_worker') return '/m'
  return '/cases'
}

/** Who is offered the command centre and dashboards (not residents, devices, or the grid and
 * building workers, whose phones show their own page). */
export function mayCommand(role: string | undefined): boolean {
  return !!role && !['resident', 'device', 'grid_worker', 'building_head'].includes(role)
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: () => landing(session.me?.role) },
    // Public: a resident reports and follows without an account.
    { path: '/report', component: () => import('./views/ResidentView.vue'), meta: { public: true } },
    { path: '/track/:id(\\d+)', component: () => import('./views/TrackView.vue'), props: true, meta: { public: true } },
    // A case by its short code (查询码): `/f/7K3M-9QXD`, sent on as a link or typed in.
    { path: '/f/:code', component: () => import('./views/FollowView.vue'), props: true, meta: { public: true } },
    { path: '/m', component: () => import('./views/WorkerView.vue') },
    // The map and the charts load only when their page is opened (a phone on a slow link never
    // fetches them).
    { path: '/command', component: () => import('./views/CommandView.vue') },
    { path: '/dashboards', component: () => import('./views/DashboardView.vue') },
    { path: '/admin', component: () => import('./views/AdminView.vue') },
    // The registers of the grid (名册): a tab per register, its key in the path.
    { path: '/registers/:register?', component: () => import('./views/RegistersView.vue'), props: true },
    { path: '/login', component: LoginView, meta: { public: true } },
    { path: '/cases', component: () => import('./views/DeskView.vue') },
    { path: '/cases/:id(\\d+)', component: () => import('./views/CaseView.vue'), props: true },
    { path: '/cases/:id(\\d+)/print', component: () => import('./views/PrintView.vue'), props: true },
    { path: '/:rest(.*)*', redirect: '/cases' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !session.token) return { path: '/login', query: { next: to.fullPath } }
})

// A session that ends (expired, revoked: the server answered 401) leads back to the login.
watch(
  () => session.token,
  (token) => {
    const here = router.currentRoute.value
    if (!token && !here.meta.public) router.push({ path: '/login', query: { next: here.fullPath } })
  },
)
