// The station's desk words (added when the station surface loads).
export default {
  'zh-CN': { station: { desk: { home: '今日工作' } } },
  en: { station: { desk: { home: 'Today' } } },
}
