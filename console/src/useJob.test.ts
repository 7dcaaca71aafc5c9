import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { ApiError } from '@/api/errors'
import { failureText, useJob, type JobState } from './useJob'

interface Job extends JobState { file_name?: string | null }

/** A fake jobs API: each status call answers the next of ``answers`` (the last one repeats). */
function fakeApi(first: Job, answers: (Job | Error)[]) {
  const calls: string[] = []
  const start = vi.fn(async (format: string) => { calls.push(`start ${format}`); return first })
  const status = vi.fn(async (id: string) => {
    calls.push(`status ${id}`)
    const next = answers.length > 1 ? answers.shift()! : answers[0]
    if (next instanceof Error) throw next
    return next
  })
  return { start, status, calls }
}

const running = (rows: number, percent: number | null): Job => ({ id: 'j1', status: 'running', rows, percent })

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

describe('useJob', () => {
  it('starts a job and polls with back-off until it is done', async () => {
    const fake = fakeApi({ id: 'j1', status: 'queued', rows: 0, percent: null },
      [running(100, 10), running(5000, 50), { id: 'j1', status: 'done', rows: 10000, percent: 100, file_name: 'a.xlsx' }])
    const scope = effectScope()
    const job = scope.run(() => useJob(fake.start, fake.status, { delay: 100, factor: 2, maxDelay: 1000 }))!
    await job.run('xlsx')
    expect(job.phase.value).toBe('queued')
    expect(job.active.value).toBe(true)

    await vi.advanceTimersByTimeAsync(99)
    expect(fake.status).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)  // 100 ms
    expect(job.rows.value).toBe(100)
    expect(job.percent.value).toBe(10)
    expect(job.phase.value).toBe('running')
    await vi.advanceTimersByTimeAsync(199)  // the next wait is twice as long
    expect(fake.status).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(job.rows.value).toBe(5000)
    await vi.advanceTimersByTimeAsync(400)
    expect(job.phase.value).toBe('done')
    expect(job.job.value?.file_name).toBe('a.xlsx')
    expect(job.active.value).toBe(false)

    await vi.advanceTimersByTimeAsync(10_000)  // nothing more is asked once done
    expect(fake.calls).toEqual(['start xlsx', 'status j1', 'status j1', 'status j1'])
    scope.stop()
  })

  it('waits at most maxDelay between polls', async () => {
    const fake = fakeApi(running(0, 0), [running(1, 1)])
    const scope = effectScope()
    const job = scope.run(() => useJob(fake.start, fake.status, { delay: 100, factor: 10, maxDelay: 300 }))!
    await job.run('csv')
    await vi.advanceTimersByTimeAsync(100 + 300 + 300 + 300)
    expect(fake.status).toHaveBeenCalledTimes(4)
    scope.stop()
  })

  it('reports a failed job with its reason in both languages', async () => {
    const fake = fakeApi(running(0, 0), [{ id: 'j1', status: 'failed', rows: 12, percent: 3,
      error: { code: 'too_large', zh: '导出行数超过上限', en: 'Too many rows' } }])
    const scope = effectScope()
    const job = scope.run(() => useJob(fake.start, fake.status, { delay: 100 }))!
    await job.run('xlsx')
    await vi.advanceTimersByTimeAsync(100)
    expect(job.phase.value).toBe('failed')
    expect(failureText(job.failure.value, 'zh-CN')).toBe('导出行数超过上限')
    expect(failureText(job.failure.value, 'en')).toBe('Too many rows')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fake.status).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('bears a brief outage while polling, but not a refusal', async () => {
    const outage = new ApiError(503, { error: 'service_unavailable' })
    const fake = fakeApi(running(0, 0), [outage, running(7, 70), { id: 'j1', status: 'done', rows: 10, percent: 100 }])
    const scope = effectScope()
    const job = scope.run(() => useJob(fake.start, fake.status, { delay: 100, factor: 1 }))!
    await job.run('xlsx')
    await vi.advanceTimersByTimeAsync(100)
    expect(job.error.value).toBeNull()
    await vi.advanceTimersByTimeAsync(200)
    expect(job.phase.value).toBe('done')

    const refused = new ApiError(404, { error: 'not_found', message: { zh: '没有这个导出', en: 'No such export' } })
    const other = fakeApi(running(0, 0), [refused])
    const second = scope.run(() => useJob(other.start, other.status, { delay: 100 }))!
    await second.run('csv')
    await vi.advanceTimersByTimeAsync(100)
    expect(second.phase.value).toBe('failed')
    expect(second.error.value).toBe(refused)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(other.status).toHaveBeenCalledTimes(1)
    scope.stop()
  })

  it('shows a refused start as an error and asks nothing more', async () => {
    const refused = new ApiError(403, { error: 'out_of_scope', message: { zh: '超出管辖范围', en: 'Out of scope' } })
    const start = vi.fn(async () => { throw refused })
    const status = vi.fn()
    const scope = effectScope()
    const job = scope.run(() => useJob(start, status))!
    await job.run()
    expect(job.phase.value).toBe('failed')
    expect(job.error.value).toBe(refused)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(status).not.toHaveBeenCalled()
    scope.stop()
  })

  it('stops polling when its component goes away', async () => {
    const fake = fakeApi(running(0, 0), [running(1, 1)])
    const scope = effectScope()
    const job = scope.run(() => useJob(fake.start, fake.status, { delay: 100, factor: 1 }))!
    await job.run('xlsx')
    await vi.advanceTimersByTimeAsync(250)
    expect(fake.status).toHaveBeenCalledTimes(2)
    scope.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fake.status).toHaveBeenCalledTimes(2)
  })

  it('follows only the latest job when started again', async () => {
    let n = 0
    const start = vi.fn(async () => ({ id: `j${++n}`, status: 'running', rows: 0, percent: 0 }))
    const status = vi.fn(async (id: string) => ({ id, status: 'running', rows: 1, percent: 1 }))
    const scope = effectScope()
    const job = scope.run(() => useJob(start, status, { delay: 100, factor: 1 }))!
    await job.run()
    await job.run()
    await vi.advanceTimersByTimeAsync(300)
    expect(status.mock.calls.map((c) => c[0])).toEqual(['j2', 'j2', 'j2'])
    job.reset()
    expect(job.phase.value).toBe('idle')
    await vi.advanceTimersByTimeAsync(1000)
    expect(status).toHaveBeenCalledTimes(3)
    scope.stop()
  })
})
