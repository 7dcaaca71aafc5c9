import { createI18n } from 'vue-i18n'
import common from './common'

export type SurfaceMessages = { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> }

const STORAGE_KEY = 'tb-locale'

function initialLocale(): 'zh-CN' | 'en' {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: common,
  missingWarn: false,
  fallbackWarn: false,
})

/** A surface's own words, added when the surface loads. */
export function addMessages(messages: SurfaceMessages): void {
  i18n.global.mergeLocaleMessage('zh-CN', messages['zh-CN'])
  i18n.global.mergeLocaleMessage('en', messages.en)
}

export function setLocale(locale: 'zh-CN' | 'en'): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    /* private mode: the choice lasts for this page */
  }
}

export function currentLocale(): 'zh-CN' | 'en' {
  return i18n.global.locale.value as 'zh-CN' | 'en'
}
