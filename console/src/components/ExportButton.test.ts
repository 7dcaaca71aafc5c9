import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { i18n, setLocale } from '@/i18n'
import ExportButton, { type ExportJob } from './ExportButton.vue'

beforeEach(() => { vi.useFakeTimers(); setLocale('zh-CN') })
afterEach(() => { vi.useRealTimers() })

function render(answers: ExportJob[]) {
  const start = vi.fn(async (format: string) => ({ id: 'e1', status: 'queued', rows: 0, percent: 0, format }))
  const status = vi.fn(async () => answers.length > 1 ? answers.shift()! : answers[0])
  const download = vi.fn(async () => undefined)
  const wrapper = mount(ExportButton, { props: { start, status, download, subject: '趋势' }, global: { plugins: [i18n] } })
  return { wrapper, start, status, download }
}

describe('the export button', () => {
  it('exports, shows the rows written and then the download', async () => {
    const { wrapper, start, download } = render([
      { id: 'e1', status: 'running', rows: 12345, percent: 37 },
      { id: 'e1', status: 'done', rows: 33000, percent: 100, file_name: '报表.xlsx', size_bytes: 2048 },
    ])
    await wrapper.get('button').trigger('click')  // the split button's main part: Excel
    await flushPromises()
    expect(start).toHaveBeenCalledWith('xlsx')
    await vi.advanceTimersByTimeAsync(500)
    await flushPromises()
    expect(wrapper.text()).toContain('已导出 12,345 行（37%）')
    await vi.advanceTimersByTimeAsync(800)
    await flushPromises()
    expect(wrapper.text()).toContain('导出完成，共 33,000 行。')
    const link = wrapper.findAll('button').find((b) => b.text().includes('下载 报表.xlsx（2.0 KB）'))!
    await link.trigger('click')
    expect(download).toHaveBeenCalledWith(expect.objectContaining({ id: 'e1', file_name: '报表.xlsx' }))
    wrapper.unmount()
  })

  it('says why an export failed', async () => {
    const { wrapper } = render([{ id: 'e1', status: 'failed', rows: 0, percent: 0,
                                  error: { code: 'x', zh: '导出超过一百万行', en: 'Over a million rows' } }])
    await wrapper.get('button').trigger('click')
    await vi.advanceTimersByTimeAsync(500)
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain('导出失败：导出超过一百万行')
    wrapper.unmount()
  })
})
