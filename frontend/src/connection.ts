// Never lose an upload: a dropped connection is noticed within 5 s and retried with growing
// pauses, visibly; after a reload or a crash, Golden Retriever brings the file back and the
// upload continues where storage says it stopped (the server hands back the same upload).
//
// Uppy's uploaders have no timeout of their own: a connection that hangs (a server or proxy
// gone without closing it) shows "Uploading 26%" for as long as the operating system keeps
// the socket. Here, no progress for STALL_MS while a file is being sent counts as a drop:
// the request is abandoned (pause) and the upload resumed (resume asks storage for its
// offset or parts first, so nothing already stored is sent again).

import type Uppy from '@uppy/core'
import type { Body, Meta, UppyFile } from '@uppy/core'
import GoldenRetriever from '@uppy/golden-retriever'

import { gettext, interpolate } from './i18n'

const STALL_MS = 5000
const RETRY_DELAYS_S = [0, 2, 5, 10, 20, 30] // the last one repeats

export interface ConnectionOptions {
  /** One line under the status: the connection's trouble and what is being done; '' clears. */
  onNote(text: string): void
}

/** A failure worth retrying by itself: the network, or the server or storage unavailable
 * (no answer, 0, 429, 5xx). A 4xx is a refusal the student must see. */
export function isTransientUploadError(error: unknown, response: { status: number } | undefined | null): boolean {
  // tus gives the response; Uppy's S3 client puts S3's status on its error.
  const onError = (error as { status?: unknown } | null)?.status
  const status = response?.status ?? (typeof onError === 'number' ? onError : 0)
  return status === 0 || status === 429 || status >= 500
}

/** Keeps an eye on the transfer: a hanging request (no progress for STALL_MS) or a failed
 * one (network, 5xx) is retried with growing pauses, and the page says so meanwhile. */
export function watchConnection<M extends Meta, B extends Body>(uppy: Uppy<M, B>, options: ConnectionOptions): void {
  let lastProgress = Date.now()
  let attempt = 0
  let retry: { at: number; run: () => void } | null = null
  let bytesSeen = 0 // only new bytes count as progress (a resume reports the old ones again)

  const sending = () =>
    uppy
      .getFiles()
      .filter((f) => f.progress.uploadStarted && !f.progress.uploadComplete && !f.isPaused && !f.error)
  const recovered = () => {
    lastProgress = Date.now()
    if (attempt > 0 || retry !== null) options.onNote('')
    attempt = 0
    retry = null
  }
  const schedule = (run: () => void) => {
    const delay = RETRY_DELAYS_S[Math.min(attempt, RETRY_DELAYS_S.length - 1)]
    attempt += 1
    retry = { at: Date.now() + delay * 1000, run }
  }

  // The clock starts with the upload, not with the page: a file chosen minutes after the
  // page opened would otherwise count as stalled before its first request was answered.
  uppy.on('upload-start', () => {
    lastProgress = Date.now()
  })
  uppy.on('upload-progress', (_file, progress) => {
    const bytes = typeof progress.bytesUploaded === 'number' ? progress.bytesUploaded : 0
    if (bytes > bytesSeen) {
      bytesSeen = bytes
      recovered()
    }
  })
  // A new file starts counting from zero (a retry of the same one does not: it reports the
  // bytes storage already has again, which is no news).
  uppy.on('file-added', () => {
    bytesSeen = 0
  })
  uppy.on('complete', (result) => {
    if (!result.failed?.length) recovered() // a failed upload's retry is still to come
  })
  uppy.on('cancel-all', recovered)
  uppy.on('file-removed', () => {
    bytesSeen = 0
    recovered()
  })
  uppy.on('is-offline', () => options.onNote(gettext('You are offline. The upload continues by itself when the connection is back.')))
  uppy.on('back-online', recovered)
  uppy.on('upload-error', (file, error, response) => {
    if (file && isTransientUploadError(error, response)) schedule(() => uppy.retryUpload(file.id))
  })

  window.setInterval(() => {
    const now = Date.now()
    if (retry === null) {
      const stalled = sending()
      if (stalled.length === 0 || now - lastProgress < STALL_MS) return
      schedule(() => stalled.forEach((file) => restart(uppy, file)))
    }
    const due = retry as { at: number; run: () => void }
    const left = Math.max(0, Math.ceil((due.at - now) / 1000))
    options.onNote(
      left > 0
        ? interpolate(gettext('The connection dropped. Trying again in %(seconds)s s (attempt %(attempt)s)…'), {
            seconds: left,
            attempt,
          })
        : interpolate(gettext('The connection dropped. Trying again now (attempt %(attempt)s)…'), { attempt }),
    )
    if (now < due.at) return
    retry = null
    lastProgress = now // the next stall is counted from this retry
    due.run()
  }, 500)
}

/** Abandon the hanging request and continue: for tus, HEAD then PATCH from the offset; for
 * S3 multipart, ListParts then the missing parts. */
function restart<M extends Meta, B extends Body>(uppy: Uppy<M, B>, file: UppyFile<M, B>): void {
  if (uppy.getState().capabilities.resumableUploads) {
    uppy.pauseResume(file.id)
    uppy.pauseResume(file.id)
  }
}

export interface RestoreOptions {
  /** A file came back with its data: its upload continues now. */
  onResuming(filename: string): void
  /** A file came back without its data (too large to keep in the browser): choose it again. */
  onReselect(filename: string): void
}

/** Golden Retriever keeps the chosen file and Uppy's state in IndexedDB (files up to 10 MiB
 * keep their data; larger ones come back as "ghosts" to choose again). A restored upload
 * starts over in Uppy's pipeline, which asks our server for a ticket: for the same file it
 * hands back the same unfinished upload, and the uploader resumes from storage's offset. */
export function installRestore<M extends Meta, B extends Body>(uppy: Uppy<M, B>, options: RestoreOptions): void {
  // In an iframe whose storage the browser blocks (third-party storage off), IndexedDB
  // fails: then there is nothing to keep or restore, and no error either.
  void indexedDbWorks().then((works) => {
    if (works) keepInBrowser(uppy, options)
  })
}

function indexedDbWorks(): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const request = indexedDB.open('lti-video-storage-probe')
      request.onsuccess = () => {
        request.result.close()
        resolve(true)
      }
      request.onerror = (event) => {
        event.preventDefault()
        resolve(false)
      }
      request.onblocked = () => resolve(false)
    } catch {
      resolve(false)
    }
  })
}

function keepInBrowser<M extends Meta, B extends Body>(uppy: Uppy<M, B>, options: RestoreOptions): void {
  uppy.use(GoldenRetriever, { serviceWorker: false, expires: 24 * 60 * 60 * 1000 })
  uppy.on('restored', () => {
    const confirmed = new Set(confirmedFiles(uppy))
    for (const file of uppy.getFiles()) if (confirmed.has(file.id)) uppy.removeFile(file.id)
    const files = uppy.getFiles()
    if (files.length === 0) return
    uppy.setState({ currentUploads: {} })
    for (const file of files) {
      uppy.setFileState(file.id, {
        error: null,
        isPaused: false,
        progress: {
          bytesTotal: file.progress.bytesTotal,
          uploadStarted: null,
          uploadComplete: false,
          percentage: 0,
          bytesUploaded: false,
        },
      })
    }
    const ghost = files.find((file) => file.isGhost)
    if (ghost) {
      options.onReselect(ghost.name ?? '')
      return
    }
    options.onResuming(files[0].name ?? '')
    uppy.emit('restore-confirmed')
  })
}

/** Files the server has confirmed, by Uppy id, kept for this uploader (its id names the
 * assignment and the person) in localStorage, which writes at once: Golden Retriever saves
 * Uppy's state up to half a second late, so a page reloaded just after an upload would
 * bring the finished file back and upload it a second time. */
export function rememberConfirmed<M extends Meta, B extends Body>(uppy: Uppy<M, B>, fileID: string): void {
  const kept = confirmedFiles(uppy).filter((id) => id !== fileID)
  try {
    localStorage.setItem(confirmedKey(uppy), JSON.stringify([...kept, fileID].slice(-CONFIRMED_KEPT)))
  } catch {
    // Storage blocked (a third-party iframe): Golden Retriever keeps nothing to restore either.
  }
}

const CONFIRMED_KEPT = 20

function confirmedFiles<M extends Meta, B extends Body>(uppy: Uppy<M, B>): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(confirmedKey(uppy)) ?? '[]')
    return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}

function confirmedKey<M extends Meta, B extends Body>(uppy: Uppy<M, B>): string {
  return `lti-video-confirmed:${uppy.getID()}`
}
