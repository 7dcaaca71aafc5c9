import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n, currentLocale } from './i18n'
import './styles/base.css'

document.documentElement.lang = currentLocale()
createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
