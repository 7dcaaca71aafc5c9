// 修改密码 mounted with a fake session: the forced page's notice, the console's own checks before
// anything is sent, the server's refusal in its words, and the way to the login screen after.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, setLocale } from '@/i18n'
import { ApiError } from '@/api/errors'

const session = {
  mustChangePassword: true,
  loginPhone: '13900000001' as string | null,
  roles: [] as string[],
  changePassword: vi.fn(async (_current: string, _next: string) => undefined),
  logout: vi.fn(async () => undefined),
}
vi.mock('@/stores/session', () => ({ useSession: () => session, homeFor: () => '/supervisor' }))

vi.setConfig({ testTimeout: 30_000 })  // Element Plus mounts slowly on a shared machine
const PasswordView = (await import('./PasswordView.vue')).default

async function open() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/password', name: 'password', component: PasswordView },
      { path: '/login', name: 'login', component: { render: () => h('p', 'login') } },
      { path: '/supervisor', component: { render: () => h('p', 'home') } },
    ],
  })
  await router.push('/password?required=1')
  await router.isReady()
  const wrapper = mount({ render: () => h('div', [h(PasswordView)]) }, { global: { plugins: [i18n, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

async function fill(wrapper: Awaited<ReturnType<typeof open>>['wrapper'], current: string, next: string, repeat: string) {
  await wrapper.get('#password-current').setValue(current)
  await wrapper.get('#password-new').setValue(next)
  await wrapper.get('#password-repeat').setValue(repeat)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

beforeEach(() => {
  setLocale('zh-CN')
  session.mustChangePassword = true
  session.changePassword.mockReset()
  session.logout.mockClear()
})

describe('the change-password page', () => {
  it('says why a one-time password must be changed first, and labels every field', async () => {
    const { wrapper } = await open()
    expect(wrapper.text()).toContain('首次登录请先修改密码')
    expect(wrapper.get('label[for=password-current]').text()).toBe('当前密码（一次性密码）')
    expect(wrapper.get('label[for=password-new]').text()).toBe('新密码')
    expect(wrapper.get('#password-new').attributes('aria-describedby')).toBe('password-hint')
    expect(wrapper.get('#password-hint').text()).toContain('8 至 128 位')
    wrapper.unmount()
  })
  it('checks the form before sending anything', async () => {
    const { wrapper } = await open()
    await fill(wrapper, '', 'x13900000001', 'other')
    expect(wrapper.get('.tb-sr-only[role=alert]').text()).toContain('两次输入的新密码不一致')
    await new Promise((resolve) => setTimeout(resolve, 300))  // the form items show errors a little later
    const text = wrapper.get('form').text()
    expect(text).toContain('请输入当前密码')
    expect(text).toContain('新密码不能包含手机号码')
    expect(text).toContain('两次输入的新密码不一致')
    expect(session.changePassword).not.toHaveBeenCalled()
    wrapper.unmount()
  })
  it('shows the server’s refusal in its words', async () => {
    session.changePassword.mockRejectedValueOnce(new ApiError(422, {
      error: 'weak_password', message: { zh: '密码不符合要求：这是常见密码，很容易被猜到，请换一个', en: 'x' },
    }))
    const { wrapper, router } = await open()
    await fill(wrapper, 'One-time#2026', 'P@ssw0rd', 'P@ssw0rd')
    expect(wrapper.get('.tb-error').text()).toContain('这是常见密码')
    expect(wrapper.text()).not.toContain('weak_password')
    expect(router.currentRoute.value.name).toBe('password')
    wrapper.unmount()
  })
  it('after the change, sends the person to log in again, told why', async () => {
    const { wrapper, router } = await open()
    await fill(wrapper, 'One-time#2026', 'Hebei#Admin-2026', 'Hebei#Admin-2026')
    expect(session.changePassword).toHaveBeenCalledWith('One-time#2026', 'Hebei#Admin-2026')
    expect(router.currentRoute.value.fullPath).toBe('/login?changed=1')
    wrapper.unmount()
  })
  it('offers a way back when not forced, and a logout when forced', async () => {
    session.mustChangePassword = false
    const { wrapper, router } = await open()
    expect(wrapper.get('label[for=password-current]').text()).toBe('当前密码')
    expect(wrapper.text()).not.toContain('首次登录请先修改密码')
    const back = wrapper.findAll('button').find((button) => button.text() === '返回')
    await back!.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/supervisor')
    expect(session.logout).not.toHaveBeenCalled()
    wrapper.unmount()
  })
})
