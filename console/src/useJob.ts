// A background job as a screen follows it (exports, imports, reports: timebank_common/jobs.py):
// start it, poll its status with back-off until it is done or failed, and expose its percent,
// rows, status and error. Polling stops when the component (or effect scope) that uses it ends.
// The API calls are passed in, so the same composable follows any kind of job.
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue'
import { isApiError } from '@/api/errors'

/** What a job's answer must hold (the jobs kit's fields; an export adds its file's). */
export interface JobState {
  id: string
  status: string
  percent?: number | null
  rows?: number | null
  total_rows?: number | null
  error?: JobFailure | string | null
}

/** Why a job failed, in both languages (``JobQueue.fail``: code, zh, en). */
export interface JobFailure { code?: string; zh?: string; en?: string }

export type JobPhase = 'idle' | 'starting' | 'queued' | 'running' | 'done' | 'failed'

export interface JobOptions {
  /** First wait before asking again (ms); each wait is ``factor`` times the last, up to ``maxDelay``. */
  delay?: number
  factor?: number
  maxDelay?: number
  /** How many failed polls in a row (network, 503) are borne before giving up. */
  maxPollErrors?: number
}

/** A failed job's reason in the reader's language. */
export function failureText(failure: JobFailure | string | null | undefined, locale: string): string {
  if (!failure) return ''
  if (typeof failure === 'string') return failure
  const zh = failure.zh ?? ''
  const en = failure.en ?? ''
  return (locale.startsWith('zh') ? zh || en : en || zh) || failure.code || ''
}

export function useJob<J extends JobState, A extends unknown[]>(
  start: (...args: A) => Promise<J>,
  status: (id: string) => Promise<J>,
  options: JobOptions = {},
) {
  const { delay = 500, factor = 1.6, maxDelay = 5000, maxPollErrors = 3 } = options
  const job = shallowRef<J | null>(null)
  /** An API error of the start or of the polling (the job's own failure is ``failure``). */
  const error = shallowRef<unknown>(null)
  const starting = ref(false)
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0

  const phase = computed<JobPhase>(() => {
    if (starting.value) return 'starting'
    if (error.value) return 'failed'
    const state = job.value?.status
    if (state === 'queued' || state === 'running' || state === 'done' || state === 'failed') return state
    return job.value ? 'running' : 'idle'
  })
  const active = computed(() => ['starting', 'queued', 'running'].includes(phase.value))
  const percent = computed(() => job.value?.percent ?? null)
  const rows = computed(() => job.value?.rows ?? 0)
  const failure = computed(() => (job.value?.status === 'failed' ? job.value.error ?? null : null))

  function stop(): void {
    generation += 1
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  function schedule(mine: number, wait: number, errors: number): void {
    timer = setTimeout(async () => {
      timer = null
      if (mine !== generation || !job.value) return
      try {
        const next = await status(job.value.id)
        if (mine !== generation) return
        job.value = next
        if (next.status === 'done' || next.status === 'failed') return
        schedule(mine, Math.min(maxDelay, wait * factor), 0)
      } catch (e) {
        if (mine !== generation) return
        const bearable = isApiError(e) && e.retryable && errors + 1 < maxPollErrors
        if (bearable) schedule(mine, Math.min(maxDelay, wait * factor), errors + 1)
        else error.value = e
      }
    }, wait)
  }

  /** Start a job (any earlier one is no longer followed) and follow it until it ends. */
  async function run(...args: A): Promise<void> {
    stop()
    const mine = generation
    job.value = null
    error.value = null
    starting.value = true
    try {
      const first = await start(...args)
      if (mine !== generation) return
      job.value = first
      if (first.status !== 'done' && first.status !== 'failed') schedule(mine, delay, 0)
    } catch (e) {
      if (mine === generation) error.value = e
    } finally {
      if (mine === generation) starting.value = false
    }
  }

  /** Forget the job (and stop following it). */
  function reset(): void {
    stop()
    job.value = null
    error.value = null
    starting.value = false
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { job, phase, active, percent, rows, error, failure, run, stop, reset }
}
