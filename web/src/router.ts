// Pages: the login, the case desk (the caller's cases, filtered) and one case; every page but the
// login needs a session.
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
    { path: '/cases/:id', component: CaseView, props: true },
    { path: '/:rest(.*)*', redirect: '/cases' },
  ],
})

router.beforeEach((to) => {
  if (!to.meta.public && !session.token) return { path: '/login', query: { next: to.fullPath } }
})
