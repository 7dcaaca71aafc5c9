// 志愿者导入 mounted with a fake API: a chosen CSV is uploaded raw, the job followed to done with
// its counts, then its refused rows are shown; a wrong file is refused before sending.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { i18n, setLocale, addMessages } from '@/i18n'
import messages from './importMessages'

const job = (status: string, done: number) => ({
  id: 'j1', kind: 'volunteer_registrations', status, percent: status === 'done' ? 100 : 50, rows_done: done, total_rows: 2,
  created: done ? 1 : 0, updated: 0, unchanged: 0, refused: done > 1 ? 1 : 0, created_at: '2026-12-07T06:00:00Z',
  finished_at: null, file_name: '名单.csv', error: null,
})
const postRaw = vi.fn(async (_path: string, _query: unknown, _body: Blob, _type: string) => job('queued', 0))
const statuses = [job('running', 1), job('done', 2)]
const GET = vi.fn(async (path: string, _options: unknown): Promise<{ data: unknown }> => {
  if (path === '/api/v1/people/imports/{job_id}') return { data: statuses.shift() ?? job('done', 2) }
  if (path === '/api/v1/people/imports/{job_id}/errors') {
    return { data: { items: [{ line: 3, code: 'id_number_invalid', zh: '身份证号码校验位不正确', en: 'Bad ID number' }], total: 1, page: 1, page_size: 50 } }
  }
  return { data: { items: [] } }
})
vi.mock('@/api/client', () => ({
  api: { GET: (p: string, o: unknown) => GET(p, o) },
  ok: async (pending: Promise<{ data: unknown }>) => (await pending).data,
  postRaw: (p: string, q: unknown, b: Blob, t: string) => postRaw(p, q, b, t),
  download: vi.fn(), saveBlob: vi.fn(),
}))

vi.setConfig({ testTimeout: 30_000 })  // Element Plus mounts slowly on a shared machine
const ImportsView = (await import('./ImportsView.vue')).default

beforeEach(() => {
  setLocale('zh-CN')
  addMessages(messages)
  postRaw.mockClear()
})

function choose(wrapper: ReturnType<typeof mount>, file: File) {
  const input = wrapper.find('input[type="file"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  return input.trigger('change')
}

describe('the import page', () => {
  it('uploads the CSV raw, follows the job to done and lists the refused rows', async () => {
    vi.useFakeTimers()
    const wrapper = mount({ render: () => h('div', [h(ImportsView)]) }, { global: { plugins: [i18n] } })
    await flushPromises()
    await choose(wrapper, new File(['a'], '名单.csv', { type: 'text/csv' }))
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(postRaw).toHaveBeenCalledWith('/api/v1/people/imports', { kind: 'volunteer_registrations', filename: '名单.csv' },
      expect.any(File), 'text/csv')
    expect(wrapper.text()).toContain('已排队')
    await vi.advanceTimersByTimeAsync(600)
    expect(wrapper.text()).toContain('已处理 1 / 2 行')
    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    expect(wrapper.text()).toContain('导入完成')
    expect(wrapper.find('[data-testid="import-counts"]').text()).toBe('新增 1，更新 0，未变 0，拒绝 1')
    expect(wrapper.find('.tb-refused').text()).toContain('身份证号码校验位不正确')
    vi.useRealTimers()
  })
  it('refuses a file it cannot import before sending it', async () => {
    const wrapper = mount({ render: () => h('div', [h(ImportsView)]) }, { global: { plugins: [i18n] } })
    await choose(wrapper, new File(['a'], 'old.xls'))
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(postRaw).not.toHaveBeenCalled()
    expect(wrapper.find('[role="alert"]').text()).toBe('只能导入 .xlsx 或 .csv 文件。')
  })
})
