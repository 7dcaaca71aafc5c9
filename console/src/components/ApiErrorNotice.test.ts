import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n, setLocale } from '@/i18n'
import { ApiError } from '@/api/errors'
import ApiErrorNotice from './ApiErrorNotice.vue'

function render(error: unknown) {
  return mount(ApiErrorNotice, { props: { error }, global: { plugins: [i18n] } })
}

describe('an API error as a person reads it', () => {
  it('shows the gateway message in the reader’s language, never the code', () => {
    const error = new ApiError(409, { error: 'demand_not_open', message: { zh: '需求已被领取', en: 'Already claimed' } })
    setLocale('zh-CN')
    expect(render(error).text()).toContain('需求已被领取')
    expect(render(error).text()).not.toContain('demand_not_open')
    setLocale('en')
    expect(render(error).text()).toContain('Already claimed')
    setLocale('zh-CN')
  })
  it('answers a 503 calmly, with a retry button that asks again', async () => {
    const wrapper = render(new ApiError(503, { error: 'service_unavailable', message: { zh: '服务暂时不可用', en: 'x' } }))
    expect(wrapper.text()).toContain('请稍等片刻再试')
    await wrapper.get('button').trigger('click')
    expect(wrapper.emitted('retry')).toHaveLength(1)
  })
  it('names a dropped network and an unknown failure in words', () => {
    expect(render(new ApiError(0, null)).text()).toContain('网络连接中断')
    expect(render(new Error('boom')).text()).toContain('出了点问题')
    expect(render(null).html()).toBe('<!--v-if-->')
  })
})
