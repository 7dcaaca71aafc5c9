// The volunteer surface's words (added when the surface loads).
export default {
  'zh-CN': { volunteer: { home: '首页' } },
  en: { volunteer: { home: 'Home' } },
}
