// The student's upload widget: Uppy's Dashboard for choosing, checking, pausing and retrying,
// and @uppy/tus for the resumable transfer. Before a file is sent, a pre-processor asks our API
// for an upload ticket and points that file's tus upload at the ticket's URL and headers.

import Uppy, { type Processor } from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import Tus, { type TusBody } from '@uppy/tus'
import '@uppy/core/css/style.min.css'
import '@uppy/dashboard/css/style.min.css'

import { SESSION_EXPIRED_MESSAGE, type ApiClient, type Submission, type UploadProtocol } from './api'
import { formatBytes, formatExtensions } from './format'
import type { AssignmentInfo } from './launch'

const TUS_PROTOCOLS: ReadonlySet<UploadProtocol> = new Set(['local-tus', 'tus'])
const UPLOAD_FAILED_MESSAGE =
  'The upload stopped before it finished. Check your connection and press Retry to continue.'

export interface UploaderOptions {
  target: HTMLElement
  assignment: AssignmentInfo
  api: ApiClient
  /** A file is about to be sent (first try or retry) for this submission. */
  onSending(submission: Submission): void
  onUploadStart(): void
  /** Whole percent, 0-100. */
  onProgress(percent: number): void
  /** The bytes are on the server; the caller confirms the submission. */
  onUploaded(submission: Submission): void
  /** tus gave up after its retries; the student can press Retry. */
  onUploadFailed(): void
  onError(message: string): void
}

interface FileTicket {
  submission: Submission
  expiresAt: number
}

export function createUploader(options: UploaderOptions): Uppy<Record<string, never>, TusBody> {
  const { assignment } = options
  const uppy = new Uppy<Record<string, never>, TusBody>({
    id: 'video-upload',
    autoProceed: false,
    restrictions: {
      maxNumberOfFiles: 1,
      maxFileSize: assignment.maxSizeBytes,
      allowedFileTypes: [...assignment.allowedMimeTypes, ...assignment.allowedExtensions],
    },
  })
    .use(Dashboard, {
      inline: true,
      target: options.target,
      width: '100%',
      height: 320,
      note: restrictionNote(assignment),
      hideProgressDetails: false,
      proudlyDisplayPoweredByUppy: false,
    })
    .use(Tus, {
      retryDelays: [0, 1000, 3000, 5000, 10000],
      chunkSize: 5 * 1024 * 1024,
      removeFingerprintOnSuccess: true,
      limit: 1,
    })

  const tickets = new Map<string, FileTicket>()
  uppy.addPreProcessor(requestTickets(uppy, options, tickets))

  uppy.on('upload', () => options.onUploadStart())
  uppy.on('upload-progress', (_file, progress) => {
    if (progress.bytesTotal) {
      options.onProgress(Math.floor((100 * progress.bytesUploaded) / progress.bytesTotal))
    }
  })
  uppy.on('upload-success', (file) => {
    const ticket = file && tickets.get(file.id)
    if (!ticket) return
    tickets.delete(file!.id)
    options.onProgress(100)
    options.onUploaded(ticket.submission)
  })
  uppy.on('restriction-failed', (_file, error) => options.onError(error.message))
  uppy.on('error', (error) => options.onError(error.message))
  uppy.on('upload-error', (_file, _error, response) => {
    options.onError(uploadErrorMessage(response))
    options.onUploadFailed()
  })
  return uppy
}

/** A pre-processor that gets an upload ticket for each file that does not hold a live one. */
function requestTickets(
  uppy: Uppy<Record<string, never>, TusBody>,
  options: UploaderOptions,
  tickets: Map<string, FileTicket>,
): Processor {
  return async (fileIDs) => {
    for (const fileID of fileIDs) {
      const known = tickets.get(fileID)
      if (known && known.expiresAt > Date.now()) {
        options.onSending(known.submission) // a retry resumes with the same ticket
        continue
      }

      const file = uppy.getFile(fileID)
      uppy.emit('preprocess-progress', file, { mode: 'indeterminate', message: 'Preparing upload…' })
      try {
        const { submission, ticket } = await options.api.startUpload({
          filename: file.name,
          size: file.size ?? 0,
          mime_type: file.type,
        })
        if (!TUS_PROTOCOLS.has(ticket.protocol)) {
          throw userFacingError(
            `This page cannot upload with the "${ticket.protocol}" method yet. Please contact your teacher.`,
          )
        }
        uppy.setFileState(fileID, { tus: { endpoint: ticket.url, headers: ticket.headers } })
        tickets.set(fileID, { submission, expiresAt: Date.parse(ticket.expires_at) || Infinity })
        options.onSending(submission)
      } finally {
        uppy.emit('preprocess-complete', uppy.getFile(fileID))
      }
    }
  }
}

/** The server's own message when the tus endpoint answered with our JSON error body. */
function uploadErrorMessage(response: { status: number; body?: TusBody } | undefined): string {
  const xhr = response?.body?.xhr
  if (response?.status === 401) return SESSION_EXPIRED_MESSAGE
  try {
    const data = JSON.parse(xhr?.responseText ?? '') as { message?: unknown }
    if (typeof data.message === 'string' && data.message) return data.message
  } catch {
    // Not JSON: a network failure or a tus server's plain-text answer.
  }
  return UPLOAD_FAILED_MESSAGE
}

function userFacingError(message: string): Error {
  return Object.assign(new Error(message), { isUserFacing: true })
}

function restrictionNote(assignment: AssignmentInfo): string {
  const formats = formatExtensions(assignment.allowedExtensions)
  return `One video, up to ${formatBytes(assignment.maxSizeBytes)}${formats ? `. Formats: ${formats}` : ''}.`
}
