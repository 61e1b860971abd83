// The console's entry: Vue with the common Element Plus components (Chinese or English), the router
// and the words.
import { createApp, watch } from 'vue'
import {
  ElAlert, ElButton, ElCard, ElConfigProvider, ElForm, ElFormItem, ElInput, ElOption, ElOptionGroup, ElSelect, ElTag,
} from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'

const app = createApp(App).use(i18n).use(router)
// Element Plus piece by piece, not whole: the components every page uses are registered here, the
// others are imported by the pages that use them (so a phone on a slow link loads less).
for (const c of [ElAlert, ElButton, ElCard, ElConfigProvider, ElForm, ElFormItem, ElInput, ElOption, ElOptionGroup, ElSelect, ElTag]) {
  app.component(c.name!, c)
}
watch(i18n.global.locale, (l) => {
  localStorage.setItem('shanzhi.lang', l)
  document.documentElement.lang = l
})
app.mount('#app')
