// The student's upload widget: Uppy's Dashboard for choosing, checking, pausing and retrying,
// and Uppy's uploaders for the transfer, straight to the storage the tenant uses.
//
// Before a file is sent, a pre-processor asks our API for an upload ticket. Its protocol picks
// the uploader for that file; only wire protocols are known here, never backends, so a new
// backend speaking one of them needs no change in this file:
// - local-tus, tus: @uppy/tus to the ticket's URL (for Cloudflare Stream that is our creation
//   endpoint, which answers with Cloudflare's one-time upload URL; the bytes go there).
// - s3-post, s3-multipart: @uppy/aws-s3, each S3 request signed by our API (see s3.ts).
// How large each request is (tus chunk, S3 part) is the ticket's `chunk_size`.
// Uppy runs every installed uploader on every file of an upload and only the pre-processor
// learns the protocol, so both plugins are installed and each one's uploader is handed just
// the files whose ticket is for it (`installFor`). Neither plugin can skip a file by itself.

import AwsS3 from '@uppy/aws-s3'
import Uppy, { type Processor } from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import Tus, { type TusBody } from '@uppy/tus'
import '@uppy/core/css/style.min.css'
import '@uppy/dashboard/css/style.min.css'

import {
  ApiError,
  SESSION_EXPIRED_MESSAGE,
  type ApiClient,
  type Submission,
  type UploadProtocol,
  type UploadTicket,
} from './api'
import { installRestore, isTransientUploadError, rememberConfirmed, watchConnection } from './connection'
import { formatBytes, formatExtensions } from './format'
import { gettext, interpolate } from './i18n'
import type { AssignmentInfo } from './launch'
import { installRecorders } from './recorder'
import { s3UploaderOptions } from './s3'
import { uppyLocale } from './uppy-locale'

type Meta = Record<string, never>
type UploadBody = TusBody // the S3 plugin's body ({location, key}) is not read here
type VideoUppy = Uppy<Meta, UploadBody>

const TUS_PROTOCOLS: ReadonlySet<UploadProtocol> = new Set(['local-tus', 'tus'])
const S3_PROTOCOLS: ReadonlySet<UploadProtocol> = new Set(['s3-post', 's3-multipart'])
const UPLOAD_FAILED_MESSAGE = () =>
  gettext('The upload stopped before it finished. Check your connection and press Retry to continue.')

export interface UploaderOptions {
  target: HTMLElement
  assignment: AssignmentInfo
  api: ApiClient
  /** A file is about to be sent (first try or retry) for this submission. */
  onSending(submission: Submission): void
  onUploadStart(): void
  /** The bytes are in storage: the caller confirms the submission, calls `confirmed` once the
   * server has it, and resolves with what the server then says (a file it refuses is taken
   * out of the Dashboard: never "complete"). */
  onUploaded(submission: Submission, confirmed: () => void): Promise<Submission>
  /** The uploader gave up after its retries; the student can press Retry. */
  onUploadFailed(): void
  /** The student cancelled the upload of this submission (the server has ended it). */
  onCancelled(submissionId: number): void
  onError(message: string): void
  /** Where the recording countdown and timer are shown. */
  recordingTimer: HTMLElement
  /** Whose uploads these are: the browser keeps unfinished ones per person and assignment. */
  userKey: string
  /** One line about the connection or a restored upload; '' clears it. */
  onNote(text: string): void
}

interface FileTicket {
  submission: Submission
  ticket: UploadTicket
  expiresAt: number
}

export function createUploader(options: UploaderOptions): VideoUppy {
  const { assignment } = options
  const tickets = new Map<string, FileTicket>()
  const ticketIn = (protocols: ReadonlySet<UploadProtocol>) => (fileID: string) => {
    const protocol = tickets.get(fileID)?.ticket.protocol
    return protocol !== undefined && protocols.has(protocol)
  }

  const uppy: VideoUppy = new Uppy<Meta, UploadBody>({
    id: `video-upload-${assignment.id}-${options.userKey}`,
    autoProceed: false,
    ...localeOption(),
    restrictions: {
      maxNumberOfFiles: 1,
      maxFileSize: assignment.maxSizeBytes,
      allowedFileTypes: [...assignment.allowedMimeTypes, ...assignment.allowedExtensions],
    },
  }).use(Dashboard, {
    inline: true,
    target: options.target,
    width: '100%',
    height: 420,
    note: restrictionNote(assignment),
    hideProgressDetails: false,
    proudlyDisplayPoweredByUppy: false,
    // One place for messages: the page's own alert, never Uppy's informer as well.
    disableInformer: true,
    disableLocalFiles: !assignment.allowedSources.includes('upload'),
    doneButtonHandler: () => uppy.clear(),
  })
  fixSingleFileList(options.target)
  installRecorders(uppy, {
    sources: assignment.allowedSources,
    maxDurationSeconds: assignment.maxDurationSeconds,
    timer: options.recordingTimer,
    onError: options.onError,
  })
  installFor(uppy, ticketIn(TUS_PROTOCOLS), () =>
    uppy.use(Tus, {
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      limit: 1,
    }),
  )
  installFor(uppy, ticketIn(S3_PROTOCOLS), () =>
    uppy.use(AwsS3, s3UploaderOptions(options.api, (id) => tickets.get(id), () => tickets.values())),
  )
  uppy.addPreProcessor(requestTickets(uppy, options, tickets))
  watchConnection(uppy, { onNote: options.onNote })
  installRestore(uppy, {
    onResuming: (filename) =>
      options.onNote(interpolate(gettext('Continuing your unfinished upload of “%(filename)s” where it stopped…'), { filename })),
    onReselect: (filename) =>
      options.onNote(
        interpolate(
          gettext('Your upload of “%(filename)s” did not finish. Choose the same file again (Re-select) to continue where it stopped.'),
          { filename },
        ),
      ),
  })

  uppy.addPostProcessor(confirmUploads(uppy, options, tickets))

  uppy.on('upload', () => options.onUploadStart())
  reportProgress(uppy, options.api, (fileID) => tickets.get(fileID)?.submission.id)
  uppy.on('file-removed', (file) => {
    const known = tickets.get(file.id)
    tickets.delete(file.id) // the same file added again gets a new ticket
    if (!known) return
    // Cancel: the server ends the upload now (its ticket is refused, its bytes removed).
    options.api
      .cancelUpload(known.submission.id)
      .catch(() => undefined) // the 30-minute sweep ends it anyway
      .finally(() => options.onCancelled(known.submission.id))
  })
  uppy.on('restriction-failed', (file, error) => options.onError(restrictionMessage(file, error, assignment)))
  // Uppy also reports each upload-error as a generic "Failed to upload …" error: only the
  // page's own errors (ticket refused, session over) are shown from here.
  uppy.on('error', (error) => {
    if (error instanceof ApiError || (error as { fromPage?: boolean }).fromPage) options.onError(error.message)
  })
  uppy.on('upload-error', (_file, error, response) => {
    // The network or storage failing is retried by itself (connection.ts says so); a
    // refusal is the student's to read, once.
    if (isTransientUploadError(error, response)) return
    options.onError(uploadErrorMessage(error, response))
    options.onUploadFailed()
  })
  return uppy
}

const ALIVE_EVERY_MS = 60_000

/** While bytes flow, tell our server about once a minute: S3 and Stream receive them
 * directly, so without this the sweep of abandoned uploads (30 minutes) could end a long
 * upload that is slowly but surely arriving. */
function reportProgress(uppy: VideoUppy, api: ApiClient, submissionOf: (fileID: string) => number | undefined): void {
  const lastSaid = new Map<number, number>()
  uppy.on('upload-progress', (file) => {
    const id = file && submissionOf(file.id)
    if (id === undefined || Date.now() - (lastSaid.get(id) ?? 0) < ALIVE_EVERY_MS) return
    lastSaid.set(id, Date.now())
    api.uploadAlive(id).catch(() => undefined) // best effort: the next minute says it again
  })
}

/** Uppy's Dashboard (6.0) lists a single file's item (role "listitem") in a container without
 * role "list" (it sets the role only on its multi-file virtual list): axe's
 * aria-required-parent. Give the container its role whenever the Dashboard redraws it. */
function fixSingleFileList(target: HTMLElement): void {
  const fix = () => {
    for (const list of target.querySelectorAll('.uppy-Dashboard-files:not([role])')) {
      list.setAttribute('role', 'list')
    }
  }
  new MutationObserver(fix).observe(target, { childList: true, subtree: true })
}

/** Runs `install` (which adds one uploader plugin) so that its uploader only gets the files
 * `accepts` picks. Uppy keeps the wrapped function, so removing the plugin again would leave
 * its uploader in place: these plugins stay for the page's life. */
function installFor(uppy: VideoUppy, accepts: (fileID: string) => boolean, install: () => void): void {
  const addUploader = uppy.addUploader
  uppy.addUploader = (uploader: Processor) =>
    addUploader.call(uppy, (fileIDs, uploadID) => uploader(fileIDs.filter(accepts), uploadID))
  try {
    install()
  } finally {
    uppy.addUploader = addUploader
  }
}

/** A pre-processor that gets an upload ticket for each file that does not hold a live one. */
function requestTickets(uppy: VideoUppy, options: UploaderOptions, tickets: Map<string, FileTicket>): Processor {
  return async (fileIDs) => {
    for (const fileID of fileIDs) {
      const known = tickets.get(fileID)
      if (known && known.expiresAt > Date.now()) {
        options.onSending(known.submission) // a retry resumes with the same ticket
        continue
      }

      const file = uppy.getFile(fileID)
      uppy.emit('preprocess-progress', file, { mode: 'indeterminate', message: gettext('Preparing upload…') })
      try {
        const { submission, ticket } = await options.api.startUpload({
          filename: file.name,
          size: file.size ?? 0,
          mime_type: file.type,
        })
        uppy.setFileState(fileID, fileStateFor(ticket))
        tickets.set(fileID, { submission, ticket, expiresAt: Date.parse(ticket.expires_at) || Infinity })
        options.onSending(submission)
      } finally {
        uppy.emit('preprocess-complete', uppy.getFile(fileID))
      }
    }
  }
}

/** A post-processor: the server confirms each uploaded file and checks it is a video. A file
 * it refuses leaves the Dashboard (which would otherwise say "complete"): the page's status
 * says why, once. */
function confirmUploads(uppy: VideoUppy, options: UploaderOptions, tickets: Map<string, FileTicket>): Processor {
  return async (fileIDs) => {
    for (const fileID of fileIDs) {
      const known = tickets.get(fileID)
      const file = uppy.getFile(fileID)
      if (!known || !file || file.error) continue
      tickets.delete(fileID) // from here on, removing the file does not cancel the upload
      uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: gettext('Checking your video…') })
      try {
        // Once confirmed, a reload must not send the file again (the verdict can take a while).
        const verdict = await options.onUploaded(known.submission, () => rememberConfirmed(uppy, fileID))
        if (verdict.state === 'failed') uppy.removeFile(fileID)
      } catch (error) {
        // A session that ended keeps the file (in this browser too): reopened, it continues.
        if (!(error instanceof ApiError && error.status === 401)) uppy.removeFile(fileID)
        else tickets.set(fileID, known)
        throw error
      } finally {
        const current = uppy.getFile(fileID)
        if (current) uppy.emit('postprocess-complete', current)
      }
    }
  }
}

/** What the file's uploader needs from the ticket, kept in Uppy's per-file state. */
function fileStateFor(ticket: UploadTicket) {
  switch (ticket.protocol) {
    case 'local-tus':
    case 'tus':
      // For `tus` (Cloudflare) the URL carries our signed ticket and there are no headers:
      // tus sends its headers on every PATCH too, and Cloudflare's CORS refuses unknown ones.
      // The chunk size is the storage's (Cloudflare: 5 MiB, multiples of 256 KiB).
      return {
        tus: {
          endpoint: ticket.url,
          headers: ticket.headers,
          ...(ticket.chunk_size ? { chunkSize: ticket.chunk_size } : {}),
        },
      }
    case 's3-multipart':
      // Created by our server: AwsS3 resumes it rather than creating one (see s3.ts).
      return { s3Multipart: { uploadId: ticket.fields.uploadId, key: ticket.fields.key } }
    case 's3-post':
      return {} // everything is in the ticket, which s3.ts reads when AwsS3 asks
    default:
      throw userFacingError(
        interpolate(gettext('This page cannot upload with the "%(method)s" method yet. Please contact your teacher.'), {
          method: String(ticket.protocol),
        }),
      )
  }
}

/** A sentence for the student: our API's own message (also from the tus endpoint's JSON body). */
function uploadErrorMessage(error: Error, response: { status: number; body?: UploadBody } | undefined): string {
  if (error instanceof ApiError) return error.message
  if (response?.status === 401) return SESSION_EXPIRED_MESSAGE()
  try {
    const data = JSON.parse(response?.body?.xhr?.responseText ?? '') as { message?: unknown }
    if (typeof data.message === 'string' && data.message) return data.message
  } catch {
    // Not JSON: a network failure, a tus server's plain-text answer or S3's XML.
  }
  return UPLOAD_FAILED_MESSAGE()
}

function userFacingError(message: string): Error {
  return Object.assign(new Error(message), { isUserFacing: true, fromPage: true })
}

/** Uppy's own strings in the page's language; no option at all for English (Uppy's default). */
function localeOption() {
  const locale = uppyLocale()
  return locale ? { locale } : {}
}

function restrictionNote(assignment: AssignmentInfo): string {
  const formats = formatExtensions(assignment.allowedExtensions)
  const size = formatBytes(assignment.maxSizeBytes)
  return formats
    ? interpolate(gettext('One video, up to %(size)s. Formats: %(formats)s.'), { size, formats })
    : interpolate(gettext('One video, up to %(size)s.'), { size })
}

/** Why Uppy refused a file, in words: what the file is, and what is wanted instead. */
export function restrictionMessage(
  file: { name?: string; size?: number | null; type?: string } | undefined,
  error: Error,
  assignment: AssignmentInfo,
): string {
  if (!file) return error.message
  if (file.size != null && file.size > assignment.maxSizeBytes) {
    return interpolate(gettext('This video is %(size)s; the limit for this assignment is %(limit)s.'), {
      size: formatBytes(file.size),
      limit: formatBytes(assignment.maxSizeBytes),
    })
  }
  if (/maxNumberOfFiles|only upload \d+ file/i.test(error.message)) {
    return gettext('One video per submission: remove the one chosen before adding another.')
  }
  return interpolate(refusalSentence(file.type ?? '', file.name ?? ''), { formats: 'MP4, MOV, WebM…' })
}

/** One whole sentence per kind of file, so that translators see whole sentences. */
function refusalSentence(mime: string, name: string): string {
  const [group] = mime.split('/')
  if (mime.startsWith('text/') || /\.(txt|md|rtf|csv)$/i.test(name)) {
    return gettext('This is a text file; choose a video (%(formats)s).')
  }
  if (group === 'image') return gettext('This is a picture; choose a video (%(formats)s).')
  if (group === 'audio') return gettext('This is a sound file with no picture; choose a video (%(formats)s).')
  if (mime === 'application/pdf') return gettext('This is a PDF document; choose a video (%(formats)s).')
  if (/word|officedocument|opendocument/.test(mime)) {
    return gettext('This is a document; choose a video (%(formats)s).')
  }
  if (group === 'video') return gettext('This video format is not accepted; choose one of %(formats)s.')
  return gettext('This file is not a video; choose a video (%(formats)s).')
}
