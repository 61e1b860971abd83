// The console's entry: Vue with Element Plus (Chinese or English), the router and the words.
import { createApp, watch } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'

const app = createApp(App).use(i18n).use(router).use(ElementPlus)
watch(i18n.global.locale, (l) => {
  localStorage.setItem('shanzhi.lang', l)
  document.documentElement.lang = l
})
app.mount('#app')
