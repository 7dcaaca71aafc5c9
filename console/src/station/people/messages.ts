// The station's people words (added when the station surface loads).
export default {
  'zh-CN': { station: { people: { home: '人员管理' } } },
  en: { station: { people: { home: 'People' } } },
}
