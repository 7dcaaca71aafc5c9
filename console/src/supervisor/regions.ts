// Region codes (DESIGN.md §4): 12 digits; a scope is a prefix of 2 (province), 4 (city),
// 6 (county), 9 (township) or 12 (community) digits. Pure helpers for the drill-down.

export type Level = 'province' | 'city' | 'county' | 'township' | 'community'

const PREFIX: Record<Level, number> = { province: 2, city: 4, county: 6, township: 9, community: 12 }
const ORDER: Level[] = ['province', 'city', 'county', 'township', 'community']

export function isRegionCode(code: unknown): code is string {
  return typeof code === 'string' && /^\d{12}$/.test(code)
}

/** The level a code names: the shortest prefix after which only zeros follow. */
export function levelOf(code: string): Level {
  if (!isRegionCode(code)) throw new Error(`not a region code: ${code}`)
  for (const level of ORDER) {
    if (/^0*$/.test(code.slice(PREFIX[level]))) return level
  }
  return 'community'
}

/** The level below, or null for a community (nothing to drill into). */
export function childLevel(code: string): Level | null {
  const index = ORDER.indexOf(levelOf(code))
  return index < ORDER.length - 1 ? ORDER[index + 1] : null
}

/** The code of ``code``'s ancestor at ``level`` (``code`` itself when already there). */
export function ancestorAt(code: string, level: Level): string {
  const keep = PREFIX[level]
  return code.slice(0, keep).padEnd(12, '0')
}

/** Whether ``code`` lies within ``scope`` (the scope itself included). */
export function within(scope: string, code: string): boolean {
  const prefix = scope.slice(0, PREFIX[levelOf(scope)])
  return code.startsWith(prefix)
}

/** The codes from ``scope`` down to ``code`` (both included), one per level: the breadcrumb.
 *  Empty when ``code`` is outside ``scope``. */
export function pathFrom(scope: string, code: string): string[] {
  if (!within(scope, code)) return []
  const from = ORDER.indexOf(levelOf(scope))
  const to = ORDER.indexOf(levelOf(code))
  const path: string[] = []
  for (let i = from; i <= to; i++) {
    const step = ancestorAt(code, ORDER[i])
    if (path[path.length - 1] !== step) path.push(step)
  }
  return path
}
