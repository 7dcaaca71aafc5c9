// The 报表 page mounted with a fake API: what it asks, what it shows, where a row click goes.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, setLocale } from '@/i18n'
import { ApiError } from '@/api/errors'
import messages from './messages'
import { addMessages } from '@/i18n'

const answers = new Map<string, unknown>()
const GET = vi.fn(async (path: string, options: { params?: { query?: Record<string, unknown>; path?: Record<string, string> } }) => {
  const key = path === '/api/v1/regions/{code}' ? `${path}:${options.params?.path?.code}` : path
  const answer = answers.get(key)
  if (answer instanceof ApiError) throw answer
  return { data: answer, response: new Response(null, { status: 200 }) }
})

vi.mock('@/api/client', () => ({
  api: { GET: (path: string, options: never) => GET(path, options) },
  ok: async (pending: Promise<{ data: unknown }>) => (await pending).data,
}))
vi.mock('@/stores/session', () => ({ useSession: () => ({ me: { scope: '130000000000' } }) }))
vi.mock('./TrendChart.vue', () => ({
  __esModule: true,
  default: defineComponent({
    props: { label: String, categories: Array, series: Array },
    setup: (props) => () => h('div', { class: 'trend', 'data-label': props.label }, (props.categories ?? []).join(',')),
  }),
}))

const ReportsView = (await import('./ReportsView.vue')).default

function seriesAnswer(lag: number) {
  return {
    region_code: '130000000000', period: 'quarter', measures: ['services_recorded', 'service_minutes'],
    as_of: '2026-12-01T02:32:10Z', lag_seconds: lag,
    rows: [{ period: '2026-Q3', start: '2026-07-01', end: '2026-09-30', values: { services_recorded: 0, service_minutes: 0 } },
           { period: '2026-Q4', start: '2026-10-01', end: '2026-12-07', values: { services_recorded: 1, service_minutes: 90 } }],
  }
}

beforeEach(() => {
  setLocale('zh-CN')
  addMessages(messages)
  GET.mockClear()
  answers.clear()
  answers.set('/api/v1/reports/series', seriesAnswer(3.2))
  answers.set('/api/v1/reports/breakdown', {
    region_code: '130000000000', from: '2026-07-01', to: '2026-12-07', as_of: null, lag_seconds: null,
    rows: [{ region_code: '130100000000', values: { services_recorded: 1, service_minutes: 90 } }],
  })
  answers.set('/api/v1/regions/{code}:130000000000', { code: '130000000000', name: '河北省', level: 'province', parent_code: null })
  answers.set('/api/v1/regions', [{ code: '130100000000', name: '石家庄市', level: 'city', parent_code: '130000000000' },
                                  { code: '130200000000', name: '唐山市', level: 'city', parent_code: '130000000000' }])
})

async function open(url: string) {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/supervisor/reports', component: ReportsView },
    { path: '/supervisor/reports/:region(\\d{12})', component: ReportsView },
  ] })
  await router.push(url)
  await router.isReady()
  const wrapper = mount({ render: () => h('div', [h(ReportsView)]) }, { global: { plugins: [i18n, router, createPinia()] } })
  await flushPromises()
  await vi.dynamicImportSettled()
  await flushPromises()
  return { wrapper, router }
}

describe('the reports page', () => {
  it('asks for the URL’s period, span and measures, comma-separated', async () => {
    await open('/supervisor/reports?period=quarter&from=2026-07-01&to=2026-12-07&measures=services_recorded,service_minutes')
    const [, options] = GET.mock.calls.find(([path]) => path === '/api/v1/reports/series')!
    expect(options).toMatchObject({
      params: { query: { region_code: '130000000000', period: 'quarter', from: '2026-07-01', to: '2026-12-07',
                         measures: ['services_recorded', 'service_minutes'] } },
      querySerializer: { array: { style: 'form', explode: false } },
    })
    expect(GET.mock.calls.find(([path]) => path === '/api/v1/regions')![1]).toEqual({ params: { query: { parent: '130000000000' } } })
  })

  it('shows the freshness, a chart per group and every child region, minutes as hours', async () => {
    const { wrapper } = await open('/supervisor/reports?period=quarter&from=2026-07-01&to=2026-12-07&measures=services_recorded,service_minutes')
    expect(wrapper.text()).toContain('河北省统计报表')
    expect(wrapper.text()).toContain('数据截至 2026-12-01 10:32（落后 3 秒）')
    expect(wrapper.find('.tb-fresh.stale').exists()).toBe(false)
    expect(wrapper.findAll('.trend').map((c) => c.attributes('data-label'))).toEqual([
      '服务各期趋势图（数字见下级区域表）', '时长各期趋势图（数字见下级区域表）'])
    expect(wrapper.find('.trend').text()).toBe('2026-Q3,2026-Q4')
    const rows = wrapper.findAll('.el-table__body tr.el-table__row').map((r) => r.findAll('td').map((c) => c.text()))
    expect(rows).toEqual([['石家庄市', '1', '1.5'], ['唐山市', '0', '0.0']])
  })

  it('drills into a region when its row is clicked', async () => {
    const { wrapper, router } = await open('/supervisor/reports?period=month')
    await wrapper.findAll('.el-table__body tr.el-table__row')[1].find('td:nth-child(2)').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/supervisor/reports/130200000000')
    expect(router.currentRoute.value.query.period).toBe('month')
  })

  it('marks figures over 5 minutes behind, and shows an error in words', async () => {
    answers.set('/api/v1/reports/series', seriesAnswer(900))
    const { wrapper } = await open('/supervisor/reports')
    expect(wrapper.find('.tb-fresh.stale').text()).toContain('落后 15 分钟')

    answers.set('/api/v1/reports/series', new ApiError(400, { error: 'too_many_periods',
      message: { zh: '一次最多查询 400 个周期', en: 'At most 400 periods' } }))
    const failed = await open('/supervisor/reports?period=day&from=2020-01-01')
    expect(failed.wrapper.get('[role="alert"]').text()).toContain('一次最多查询 400 个周期')
    expect(failed.wrapper.find('.el-table').exists()).toBe(false)
  })
})
