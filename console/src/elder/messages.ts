// The elder surface's words (added when the surface loads).
export default {
  'zh-CN': { elder: { home: '首页' } },
  en: { elder: { home: 'Home' } },
}
