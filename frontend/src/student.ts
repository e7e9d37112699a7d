// Student page: shows the student's submission, uploads a new video, then confirms it and
// follows its processing until it is ready to play.

import './student.css'

import { ApiClient, ApiError, type MySubmission, type Submission } from './api'
import { initStudentWithdraw } from './deletion'
import { byId, clearError, h, messageOf, showError } from './dom'
import { initFeedback } from './feedback'
import { initFrameResize } from './frame'
import { readLaunchData } from './launch'
import { clearPlayer, showPlayback } from './player'
import { submissionDetails } from './status'
import { createUploader } from './uploader'
import { gettext, interpolate } from './i18n'

const POLL_INTERVAL_MS = 2000
const CONFIRM_RETRY_DELAYS_MS = [1000, 3000, 5000]
const WORKING_STATES: ReadonlySet<Submission['state']> = new Set(['uploaded', 'processing'])

const launch = readLaunchData()
const api = new ApiClient(launch.apiBase, launch.token)
initFrameResize() // lti.frameResize: the LMS frame follows the page's height
void initFeedback(launch.apiBase, launch.token) // the teacher's released comments (feedback.ts)
const statusPanel = byId('status')
const playerContainer = byId('player-container')
const progressBar = byId<HTMLProgressElement>('upload-progress')
const progressText = byId('progress-text')

let mine: MySubmission = { current: null, in_progress: null }
let uploadingId: number | null = null // the submission whose file this page is sending
let playingId: number | null = null
let watchedId: number | null = null
let shownStatus = ''

function render(): void {
  renderStatus()
  byId('replace-note').hidden = !mine.current
  void renderPlayer()
}

/** Redraws #status only when its content changes, so polling does not re-announce it. */
function renderStatus(): void {
  const latest = mine.in_progress ?? mine.current
  const older = mine.in_progress && mine.current
  const uploading = latest?.state === 'pending_upload' && latest.id === uploadingId
  const key = JSON.stringify([latest, older?.filename, uploading])
  if (key === shownStatus) return
  shownStatus = key
  statusPanel.dataset.state = latest?.state ?? 'none'
  if (!latest) {
    statusPanel.replaceChildren(h('p', {}, gettext('You have not submitted a video yet.')))
    return
  }
  statusPanel.replaceChildren(submissionDetails(latest, uploading ? gettext('Uploading…') : workingText(latest)))
  if (older) {
    const text = interpolate(
      gettext('Your teacher sees your earlier video, “%(filename)s”, until this one is ready.'),
      { filename: older.filename },
    )
    statusPanel.append(h('p', { class: 'note' }, text))
  }
}

/** While storage checks or transcodes the video: "Processing…", after the state's own label. */
function workingText(submission: Submission): string | undefined {
  if (!WORKING_STATES.has(submission.state)) return undefined
  if (submission.waiting_for_storage) return submission.state_label // the server's sentence
  return submission.state === 'processing'
    ? gettext('Processing…')
    : interpolate(gettext('%(state)s. Processing…'), { state: submission.state_label })
}

async function renderPlayer(): Promise<void> {
  const playable = [mine.in_progress, mine.current].find((s) => s?.state === 'ready')
  if (playable?.id === playingId) return
  playingId = playable?.id ?? null
  byId('player-section').hidden = !playable
  if (!playable) {
    clearPlayer(playerContainer)
    return
  }
  try {
    const playback = await api.playback(playable.id)
    if (playingId !== playable.id) return // a newer render chose another video meanwhile
    showPlayback(
      playerContainer,
      playback,
      interpolate(gettext('Your video: %(filename)s'), { filename: playable.filename }),
    )
  } catch (error) {
    playingId = null
    showError(messageOf(error))
  }
}

/** Records a newer copy of one submission and redraws. */
function track(submission: Submission): void {
  if (mine.current?.id === submission.id) mine = { ...mine, current: submission }
  else mine = { ...mine, in_progress: submission }
  render()
}

async function refresh(): Promise<void> {
  mine = await api.mySubmission()
  render()
  const working = mine.in_progress
  if (working && WORKING_STATES.has(working.state)) void watch(working.id)
}

/** Polls one submission until it is ready or failed; a newer watch() call ends this one. */
async function watch(submissionId: number): Promise<void> {
  watchedId = submissionId
  while (watchedId === submissionId) {
    await delay(POLL_INTERVAL_MS)
    if (watchedId !== submissionId) return
    try {
      const submission = await api.submission(submissionId)
      clearError()
      track(submission)
      if (submission.state === 'ready') await refresh() // the server now lists it as current
      if (!WORKING_STATES.has(submission.state)) return
    } catch (error) {
      showError(messageOf(error))
      if (!(error instanceof ApiError && error.isTransient)) return
    }
  }
}

async function confirm(submission: Submission): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      track(await api.confirmUpload(submission.id))
      void watch(submission.id)
      return
    } catch (error) {
      const retryable = error instanceof ApiError && error.isTransient
      if (!retryable || attempt >= CONFIRM_RETRY_DELAYS_MS.length) throw error
      await delay(CONFIRM_RETRY_DELAYS_MS[attempt])
    }
  }
}

function setProgress(percent: number): void {
  progressBar.value = percent
  progressText.textContent = `${percent}%`
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

createUploader({
  target: byId('uploader'),
  assignment: launch.assignment,
  api,
  onSending: (submission) => {
    watchedId = null
    uploadingId = submission.id
    track(submission)
  },
  onUploadStart: () => {
    clearError()
    byId('upload-progress-block').hidden = false
    setProgress(0)
  },
  onProgress: setProgress,
  onUploaded: (submission) => {
    uploadingId = null
    confirm(submission).catch((error: unknown) => showError(messageOf(error)))
  },
  onUploadFailed: () => {
    uploadingId = null
    render()
  },
  onError: showError,
})

initStudentWithdraw({ ...launch, status: statusPanel, onWithdrawn: () => void refresh() })
refresh().catch((error: unknown) => {
  statusPanel.dataset.state = 'error'
  statusPanel.replaceChildren(h('p', {}, gettext('Your submission could not be loaded.')))
  showError(messageOf(error))
})
