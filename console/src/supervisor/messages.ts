// The supervisor surface's words (added when the surface loads).
export default {
  'zh-CN': { supervisor: { home: '首页' } },
  en: { supervisor: { home: 'Home' } },
}
