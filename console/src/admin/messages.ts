// The admin surface's words (added when the surface loads).
export default {
  'zh-CN': { admin: { home: '首页' } },
  en: { admin: { home: 'Home' } },
}
