// 数据交换 mounted with a fake API: what each role sees on each tab, a replay's body, and the
// reconciliation's differences in words.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, setLocale } from '@/i18n'

const me = { scope: '130000000000', roles: ['province_admin'] }
const GET = vi.fn(async (path: string, _options: unknown): Promise<{ data: unknown }> => {
  switch (path) {
    case '/api/v1/reports/national/exports': return { data: { items: [] } }
    case '/api/v1/reports/zyh': return { data: { enabled: true, pending: 2, sent: 40, dead: 1, last_success_at: '2026-12-07T01:00:00Z' } }
    case '/api/v1/reports/zyh/dead': return { data: { items: [{ record_id: 'r9', version: 2, status: 'dead', attempts: 8, last_status: 500, last_error: 'HTTP 500', next_attempt_at: null, sent_at: null, created_at: '2026-12-01T00:00:00Z' }], total: 1, limit: 100, offset: 0 } }
    case '/api/v1/reports/reconciliation': return { data: {
      region_code: '130000000000', from: '2026-11-01', to: '2026-12-07', ledger: { records: 2, minutes: 165 },
      channels: [{ channel: 'zyh', ok: false, difference_count: 1, delivered: { records: 1, minutes: 90 }, ledger: { records: 2, minutes: 165 },
                   differences: [{ record_id: 'r1', kind: 'missing_from_channel', ledger_minutes: 75, delivered_minutes: null }] }],
    } }
    case '/api/v1/regions/{code}': return { data: { code: '130000000000', name: '河北省', level: 'province', parent_code: null } }
    default: return { data: [] }
  }
})
const POST = vi.fn(async (_path: string, _options: unknown) => ({ data: { replayed: 1, record_ids: ['r9'] } }))
vi.mock('@/api/client', () => ({
  api: { GET: (p: string, o: unknown) => GET(p, o), POST: (p: string, o: unknown) => POST(p, o) },
  ok: async (pending: Promise<{ data: unknown }>) => (await pending).data,
  download: vi.fn(), saveBlob: vi.fn(),
}))
vi.mock('@/stores/session', () => ({ useSession: () => ({ me }) }))

vi.setConfig({ testTimeout: 30_000 })  // Element Plus mounts slowly on a shared machine
const InterchangeView = (await import('./InterchangeView.vue')).default

async function open(tab: string) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/supervisor/interchange', component: InterchangeView }] })
  await router.push(`/supervisor/interchange?tab=${tab}`)
  await router.isReady()
  const wrapper = mount({ render: () => h('div', [h(InterchangeView)]) }, { global: { plugins: [i18n, router, createPinia()] } })
  await flushPromises()
  return wrapper
}

beforeEach(() => {
  setLocale('zh-CN')
  GET.mockClear()
  POST.mockClear()
  me.roles = ['province_admin']
})

describe('the interchange page', () => {
  it('tells an auditor why there is no national export, and asks nothing', async () => {
    me.roles = ['auditor']
    const wrapper = await open('national')
    expect(wrapper.text()).toContain('只有各级管理员可以导出全国志愿服务信息系统的数据。')
    expect(GET.mock.calls.some(([path]) => path === '/api/v1/reports/national/exports')).toBe(false)
  })
  it('shows 志愿汇 to a province admin, who may push a failed record again', async () => {
    const wrapper = await open('zyh')
    expect(wrapper.find('[data-testid="zyh-status"]').text()).toContain('已启用')
    expect(wrapper.text()).toContain('r9')
    await wrapper.findAll('button').find((b) => b.text() === '全部重新推送')!.trigger('click')
    await flushPromises()
    expect(POST).toHaveBeenCalledWith('/api/v1/reports/zyh/replay', { body: { all: true } })
    expect(wrapper.text()).toContain('已重新排队 1 条。')
  })
  it('keeps 志愿汇 from a city admin', async () => {
    me.roles = ['city_admin']
    const wrapper = await open('zyh')
    expect(wrapper.text()).toContain('志愿汇推送状态仅供省级管理员和审计员查看。')
    expect(GET.mock.calls.some(([path]) => path === '/api/v1/reports/zyh')).toBe(false)
  })
  it('reconciles each channel with its differences in words', async () => {
    const wrapper = await open('reconciliation')
    expect(wrapper.text()).toContain('有差异')
    expect(wrapper.text()).toContain('已入账未交付')
    expect(wrapper.text()).toContain('-75')
  })
})
