import { describe, expect, it } from 'vitest'
import { actorOf, auditQuery, nextDay, regionFilterValid, snapshot } from './audit'
import type { AuditEntry } from './types'

const empty = { action: '', targetType: '', regionCode: '', since: null, until: null }

describe('audit filters', () => {
  it('sends only what is filled', () => {
    expect(auditQuery(empty, 2, 20)).toEqual({ page: 2, page_size: 20 })
    expect(auditQuery({ ...empty, action: ' create_operator ', regionCode: '130102001000' }, 1, 20))
      .toEqual({ page: 1, page_size: 20, action: 'create_operator', region_code: '130102001000' })
  })
  it('takes dates as China days, the last day included', () => {
    const q = auditQuery({ ...empty, since: '2026-12-01', until: '2026-12-31' }, 1, 20)
    expect(q.since).toBe('2026-12-01T00:00:00+08:00')
    expect(q.until).toBe('2027-01-01T00:00:00+08:00')
    expect(nextDay('2028-02-28')).toBe('2028-02-29')
  })
  it('checks the region code', () => {
    expect(regionFilterValid('')).toBe(true)
    expect(regionFilterValid('130102001000')).toBe(true)
    expect(regionFilterValid('1301')).toBe(false)
  })
})

describe('audit entries', () => {
  const entry = (over: Partial<AuditEntry>): AuditEntry => ({
    entry_id: 1, at: '2026-12-07T01:00:00Z', actor_person_id: null, actor_client_id: null, actor_roles: [],
    action: 'x', target_type: 'person', target_id: null, region_code: null, before: null, after: null,
    correlation_id: null, ...over,
  })
  it('names who acted', () => {
    expect(actorOf(entry({ actor_person_id: '41a0fc1d-71e6-44fc' }))).toEqual({ kind: 'person', id: '41a0fc1d' })
    expect(actorOf(entry({ actor_client_id: 'sjz' }))).toEqual({ kind: 'client', id: 'sjz' })
    expect(actorOf(entry({}))).toEqual({ kind: 'system', id: '' })
  })
  it('shows snapshots', () => {
    expect(snapshot(null)).toBe('—')
    expect(snapshot({ a: 1 })).toBe('{\n  "a": 1\n}')
  })
})
