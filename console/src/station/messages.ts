// The station surface's words (added when the surface loads).
export default {
  'zh-CN': { station: { home: '首页' } },
  en: { station: { home: 'Home' } },
}
