// Pages: the login, the case desk (the caller's cases, filtered) and one case; every page but the
// login needs a session.
import { watch } from 'vue'
import { createRouter, createWebHistory } from 'vue-router'
import { session } from './api'
import LoginView from './views/LoginView.vue'
import DeskView from './views/DeskView.vue'
import CaseView from './views/CaseView.vue'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/cases' },
    { path: '/login', component: LoginView, meta: { public: true } },
    { path: '/cases', component: DeskView },
    { path: '/cases/:id(\\d+)', component: CaseView, props: true },
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
