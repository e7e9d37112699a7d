// Typed client for the tool's JSON API. Every request carries the launch token as a Bearer
// token; every failure becomes an ApiError whose message can be shown to a person as is.

export type SubmissionState =
  | 'pending_upload'
  | 'uploaded'
  | 'processing'
  | 'ready'
  | 'failed'
  | 'deleted'

export interface Submission {
  id: number
  state: SubmissionState
  state_label: string
  filename: string
  size_bytes: number | null
  duration_seconds: number | null
  created_at: string
  updated_at: string
  error_message: string
  student: { id: number; name: string }
}

export interface MySubmission {
  current: Submission | null
  in_progress: Submission | null
}

export type UploadProtocol = 'local-tus' | 'tus' | 's3-post' | 's3-multipart'

export interface UploadTicket {
  protocol: UploadProtocol
  url: string
  headers: Record<string, string>
  fields: Record<string, string>
  upload_ref: string
  expires_at: string
  /** Bytes per request (tus chunk, S3 part) the storage wants; null: the whole file. */
  chunk_size?: number | null
}

export interface StartedUpload {
  submission: Submission
  ticket: UploadTicket
}

export interface Playback {
  kind: 'mp4' | 'hls' | 'cloudflare-iframe'
  url: string
  expires_at: string
}

export type RosterStatus = 'submitted' | 'missing' | 'late'

export interface RosterLearner {
  user_id: string
  name: string
  email: string
  status: RosterStatus
  status_label: string
  past_due: boolean
  /** False: submitted, but no longer a learner in the LMS's class list. */
  enrolled: boolean
  submission_id: number | null
  submission_state: SubmissionState | null
  submitted_at: string | null
}

export interface Roster {
  available: boolean
  message: string | null
  fetched_at: string | null
  learners: RosterLearner[]
  counts: { enrolled: number; submitted: number; missing: number; late: number; not_enrolled: number }
}

export const SESSION_EXPIRED_MESSAGE =
  'Your session has expired. Please reopen the assignment from your course.'
const NETWORK_MESSAGE = 'Could not reach the server. Check your connection and try again.'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** Tells Uppy to show the message in its own informer as well. */
  readonly isUserFacing = true

  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message)
  }

  /** True when retrying the same request later may succeed (network trouble, 5xx, 429). */
  get isTransient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500
  }
}

export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  mySubmission(): Promise<MySubmission> {
    return this.request('GET', '/my-submission')
  }

  startUpload(file: { filename: string; size: number; mime_type: string }): Promise<StartedUpload> {
    return this.request('POST', '/uploads', file)
  }

  confirmUpload(submissionId: number): Promise<Submission> {
    return this.request('POST', `/submissions/${submissionId}/confirm`)
  }

  /** A presigned URL for one part of an S3 multipart upload. */
  signUploadPart(submissionId: number, partNumber: number): Promise<{ url: string }> {
    return this.request('POST', `/submissions/${submissionId}/multipart/parts/${partNumber}`)
  }

  /** A presigned URL for the browser's own ListParts or CompleteMultipartUpload request. */
  signMultipartRequest(submissionId: number, operation: 'list_parts' | 'complete'): Promise<{ url: string }> {
    return this.request('POST', `/submissions/${submissionId}/multipart/sign`, { operation })
  }

  /** Ends an unfinished multipart upload (S3 then drops its parts). */
  abortMultipart(submissionId: number): Promise<{ ok: boolean }> {
    return this.request('POST', `/submissions/${submissionId}/multipart/abort`)
  }

  submission(submissionId: number): Promise<Submission> {
    return this.request('GET', `/submissions/${submissionId}`)
  }

  playback(submissionId: number): Promise<Playback> {
    return this.request('GET', `/submissions/${submissionId}/playback`)
  }

  submissions(): Promise<Submission[]> {
    return this.request('GET', '/submissions')
  }

  roster(): Promise<Roster> {
    return this.request('GET', '/roster')
  }

  protected async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.token}`,
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(`${this.base.replace(/\/$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch {
      throw new ApiError(NETWORK_MESSAGE, 0, 'network_error')
    }
    if (!response.ok) throw await errorFrom(response)
    return (await response.json()) as T
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  if (response.status === 401) {
    return new ApiError(SESSION_EXPIRED_MESSAGE, 401, 'session_expired')
  }
  const fallback = `Something went wrong (HTTP ${response.status}). Please try again.`
  try {
    const data = (await response.json()) as { code?: unknown; message?: unknown }
    const message = typeof data.message === 'string' && data.message ? data.message : fallback
    const code = typeof data.code === 'string' ? data.code : 'http_error'
    return new ApiError(message, response.status, code)
  } catch {
    return new ApiError(fallback, response.status, 'http_error')
  }
}
