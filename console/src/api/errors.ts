// Errors as the gateway answers them (DESIGN.md §3): {error, message: {zh, en}, details, request_id}.

export interface ErrorBody {
  error: string
  message?: { zh?: string; en?: string }
  details?: unknown
  request_id?: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly zh: string
  readonly en: string
  readonly details: unknown
  readonly requestId?: string

  constructor(status: number, body: Partial<ErrorBody> | null) {
    const zh = body?.message?.zh ?? ''
    const en = body?.message?.en ?? ''
    super(en || zh || `HTTP ${status}`)
    this.status = status
    this.code = body?.error ?? (status === 0 ? 'network_error' : `http_${status}`)
    this.zh = zh
    this.en = en
    this.details = body?.details ?? null
    this.requestId = body?.request_id
  }

  /** The service is away or busy: the screen shows a calm "try again" rather than the code. */
  get retryable(): boolean {
    return this.status === 503 || this.status === 0 || this.status === 502 || this.status === 504
  }

  /** The message in the reader's language; never the raw code. */
  text(locale: string): string {
    const preferred = locale.startsWith('zh') ? this.zh || this.en : this.en || this.zh
    return preferred
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError
}
