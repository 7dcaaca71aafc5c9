// 月度报告 mounted with a fake API: a report not made yet offers 生成, which posts the region and
// month and then shows the number, the times in China time and the verification link.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { i18n, setLocale } from '@/i18n'
import { ApiError } from '@/api/errors'
import { completeMonths } from './interchange'
import { chinaToday } from '@/format'

const made = {
  number: 'YB-13-202611-7K3QXM5', region_code: '130000000000', region_name: '河北省', month: completeMonths(chinaToday(), 1)[0],
  generated_at: '2026-12-01T17:05:00Z', as_of: '2026-12-01T16:59:00Z', key_id: 'k1', signature_fingerprint: 'AB12 CD34',
  sha256: 'f'.repeat(64), pdf_path: '/api/v1/reports/monthly/YB-13-202611-7K3QXM5/pdf',
  verify_url: 'https://timebank.example/api/v1/reports/monthly/verify/YB-13-202611-7K3QXM5',
}
const GET = vi.fn(async (path: string, _options: unknown): Promise<{ data: unknown }> => {
  if (path === '/api/v1/reports/monthly') throw new ApiError(404, { error: 'report_not_found', message: { zh: '报告不存在', en: 'No such report' } })
  if (path === '/api/v1/regions/{code}') return { data: { code: '130000000000', name: '河北省', level: 'province', parent_code: null } }
  return { data: [] }
})
const POST = vi.fn(async (_path: string, _options: unknown) => ({ data: made }))
vi.mock('@/api/client', () => ({
  api: { GET: (p: string, o: unknown) => GET(p, o), POST: (p: string, o: unknown) => POST(p, o) },
  ok: async (pending: Promise<{ data: unknown }>) => (await pending).data,
  download: vi.fn(), saveBlob: vi.fn(),
}))
vi.mock('@/stores/session', () => ({ useSession: () => ({ me: { scope: '130000000000', roles: ['province_admin'] } }) }))

vi.setConfig({ testTimeout: 30_000 })  // Element Plus mounts slowly on a shared machine
const MonthlyView = (await import('./MonthlyView.vue')).default

beforeEach(() => {
  setLocale('zh-CN')
  GET.mockClear()
  POST.mockClear()
})

describe('the monthly report page', () => {
  it('offers to make a report not made yet, and shows it once made', async () => {
    const wrapper = mount({ render: () => h('div', [h(MonthlyView)]) }, { global: { plugins: [i18n, createPinia()] } })
    await flushPromises()
    const month = completeMonths(chinaToday(), 1)[0]
    expect(GET).toHaveBeenCalledWith('/api/v1/reports/monthly', { params: { query: { region_code: '130000000000', month } } })
    expect(wrapper.find('[data-testid="monthly-missing"]').text()).toContain('的月度报告尚未生成')
    const generate = wrapper.findAll('button').find((b) => b.text() === '生成月度报告')!
    await generate.trigger('click')
    await flushPromises()
    expect(POST).toHaveBeenCalledWith('/api/v1/reports/monthly', { body: { region_code: '130000000000', month } })
    expect(wrapper.find('[data-testid="monthly-missing"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="report-number"]').text()).toBe('YB-13-202611-7K3QXM5')
    expect(wrapper.text()).toContain('2026年12月2日 01:05')  // made at, China time
    expect(wrapper.find('a[href="https://timebank.example/api/v1/reports/monthly/verify/YB-13-202611-7K3QXM5"]').exists()).toBe(true)
  })
})
