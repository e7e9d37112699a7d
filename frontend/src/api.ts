// Typed client for the tool's JSON API. Every request carries the launch token as a Bearer
// token; every failure becomes an ApiError whose message can be shown to a person as is.

import type { components } from './api-schema'
import { gettext, interpolate } from './i18n'

// Request and response bodies, generated from the API's OpenAPI schema
// (frontend/scripts/gen-api-types.sh writes api-schema.d.ts).
type Schemas = components['schemas']

export type Submission = Schemas['SubmissionOut']
export type SubmissionState = Submission['state']
export type MySubmission = Schemas['MySubmissionOut']
export type UploadRequest = Schemas['UploadIn']
export type UploadTicket = Schemas['TicketOut']
export type UploadProtocol = UploadTicket['protocol']
export type StartedUpload = Schemas['UploadOut']
export type Playback = Schemas['PlaybackOut']
export type SignedUrl = Schemas['SignedUrlOut']
export type MultipartOperation = Schemas['MultipartSignIn']['operation']
export type Ok = Schemas['OkOut']
export type Roster = Schemas['RosterOut']
export type RosterLearner = Schemas['RosterLearnerOut']
export type RosterStatus = RosterLearner['status']

export const SESSION_EXPIRED_MESSAGE = () =>
  gettext('Your session has expired. Please reopen the assignment from your course.')
const NETWORK_MESSAGE = () => gettext('Could not reach the server. Check your connection and try again.')
// Renew when this share of the token's life has passed; retry a failed renewal this often.
const RENEW_AT = 1 / 3
const RENEW_RETRY_MS = 30_000

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

export type Renewed = Schemas['RenewedOut']

export class ApiClient {
  /** Called once when the token can no longer be renewed (the session's hard maximum, or
   * it expired while the computer slept): the page keeps its state and says how to reopen. */
  onSessionEnded: (message: string) => void = () => undefined
  private renewTimer: number | undefined

  /** `tokenTtl` (seconds): when given, the token is renewed while the page is open. */
  constructor(
    private readonly base: string,
    private token: string,
    tokenTtl?: number,
  ) {
    if (tokenTtl && typeof window !== 'undefined') this.scheduleRenewal(tokenTtl * 1000 * RENEW_AT)
  }

  /** A fresh launch token (sliding), up to the session's hard maximum from the launch. */
  async renewSession(): Promise<Renewed> {
    const renewed = await this.request<Renewed>('POST', '/session/renew')
    this.token = renewed.token
    return renewed
  }

  private scheduleRenewal(afterMs: number): void {
    window.clearTimeout(this.renewTimer)
    this.renewTimer = window.setTimeout(() => {
      this.renewSession().then(
        (renewed) => this.scheduleRenewal(renewed.expires_in * 1000 * RENEW_AT),
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 401) this.onSessionEnded(error.message)
          else this.scheduleRenewal(RENEW_RETRY_MS) // offline, or the server restarting
        },
      )
    }, afterMs)
  }

  mySubmission(): Promise<MySubmission> {
    return this.request('GET', '/my-submission')
  }

  startUpload(file: UploadRequest): Promise<StartedUpload> {
    return this.request('POST', '/uploads', file)
  }

  confirmUpload(submissionId: number): Promise<Submission> {
    return this.request('POST', `/submissions/${submissionId}/confirm`)
  }

  /** A presigned URL for one part of an S3 multipart upload. */
  signUploadPart(submissionId: number, partNumber: number): Promise<SignedUrl> {
    return this.request('POST', `/submissions/${submissionId}/multipart/parts/${partNumber}`)
  }

  /** A presigned URL for the browser's own ListParts or CompleteMultipartUpload request. */
  signMultipartRequest(submissionId: number, operation: MultipartOperation): Promise<SignedUrl> {
    return this.request('POST', `/submissions/${submissionId}/multipart/sign`, { operation })
  }

  /** Cancel: the server ends this unfinished upload (its ticket is refused from now on and
   * the bytes already sent are removed, on every storage). */
  cancelUpload(submissionId: number): Promise<Ok> {
    return this.request('POST', `/submissions/${submissionId}/cancel`)
  }

  /** Bytes are still on their way to storage (the server's sweep spares the upload). */
  uploadAlive(submissionId: number): Promise<Schemas['AliveOut']> {
    return this.request('POST', `/submissions/${submissionId}/alive`)
  }

  /** Ends an unfinished multipart upload (S3 then drops its parts). */
  abortMultipart(submissionId: number): Promise<Ok> {
    return this.request('POST', `/submissions/${submissionId}/multipart/abort`)
  }

  submission(submissionId: number): Promise<Submission> {
    return this.request('GET', `/submissions/${submissionId}`)
  }

  playback(submissionId: number): Promise<Playback> {
    return this.request('GET', `/submissions/${submissionId}/playback`)
  }

  /** Teachers: one page of the assignment's current submissions, and the class size. */
  submissions(page = 1): Promise<Schemas['PagedSubmissionOut']> {
    return this.request('GET', `/submissions?page=${page}`)
  }

  roster(): Promise<Roster> {
    return this.request('GET', '/roster')
  }

  /** Teachers: delete a submission, with the reason the student and the log keep. */
  deleteSubmission(submissionId: number, reason: string): Promise<Submission> {
    return this.request('POST', `/submissions/${submissionId}/delete`, { reason, confirm: true })
  }

  /** Students: withdraw their own video (refused once the due date has passed). */
  withdraw(submissionId: number): Promise<Submission> {
    return this.request('POST', `/submissions/${submissionId}/withdraw`)
  }

  /** When retention will delete each video of the assignment the viewer may see. */
  retention(): Promise<Schemas['ExpiryOut'][]> {
    return this.request('GET', '/retention')
  }

  /** Students: the teacher's released grade and time-stamped comments. */
  myFeedback(): Promise<Schemas['MyFeedbackOut']> {
    return this.request('GET', '/my-feedback')
  }

  protected async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
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
      throw new ApiError(NETWORK_MESSAGE(), 0, 'network_error')
    }
    if (!response.ok) throw await errorFrom(response)
    if (response.status === 204) return undefined as T // DELETE: no body
    return (await response.json()) as T
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  if (response.status === 401) {
    return new ApiError(SESSION_EXPIRED_MESSAGE(), 401, 'session_expired')
  }
  const fallback = interpolate(gettext('Something went wrong (HTTP %(status)s). Please try again.'), {
    status: response.status,
  })
  try {
    const data = (await response.json()) as { code?: unknown; message?: unknown }
    const message = typeof data.message === 'string' && data.message ? data.message : fallback
    const code = typeof data.code === 'string' ? data.code : 'http_error'
    return new ApiError(message, response.status, code)
  } catch {
    return new ApiError(fallback, response.status, 'http_error')
  }
}
