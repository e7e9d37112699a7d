// Student page: shows the student's submission, uploads a new video, then confirms it and
// follows its processing until it is ready to play.

import './student.css'

import { ApiClient, ApiError, type MySubmission, type Submission } from './api'
import { initStudentWithdraw } from './deletion'
import { byId, clearError, h, messageOf, showError } from './dom'
import { initFeedback } from './feedback'
import { initFrameResize } from './frame'
import { gettext, interpolate } from './i18n'
import { readLaunchData } from './launch'
import { clearPlayer, showPlayback } from './player'
import { submissionDetails } from './status'
import { createUploader } from './uploader'

const POLL_INTERVAL_MS = 2000
const VERDICT_WAIT_MS = 60_000 // at most this long the uploader shows "Checking your video…"
const CONFIRM_RETRY_DELAYS_MS = [1000, 3000, 5000]
const WORKING_STATES: ReadonlySet<Submission['state']> = new Set(['uploaded', 'processing'])
// Shown while a file is sent; the one progress bar is Uppy's, just below.
const UPLOADING_TEXT = () => gettext('Uploading… (progress below)')

const launch = readLaunchData()
const api = new ApiClient(launch.apiBase, launch.token, launch.tokenTtl)
initFrameResize() // lti.frameResize: the LMS frame follows the page's height
void initFeedback(api) // the teacher's released comments (feedback.ts)
const statusPanel = byId('status')
const playerContainer = byId('player-container')

let mine: MySubmission = { current: null, in_progress: null }
let uploading: Submission | null = null // the submission whose file this page is sending
let playingId: number | null = null
let watchedId: number | null = null
let shownStatus = ''
let shownGrade: string | null = null // null: the server-rendered grade is shown as is
const UPDATE_DELAYS_MS = [10_000, 15_000, 30_000, 60_000, 120_000] // the last one repeats

function render(): void {
  renderStatus()
  renderGrade()
  byId('replace-note').hidden = !mine.current
  void renderPlayer()
}

/** Redraws #status only when its content changes, so polling does not re-announce it. */
function renderStatus(): void {
  const latest = uploading ?? mine.in_progress ?? mine.current
  const older = latest !== mine.current ? mine.current : null
  const key = JSON.stringify([latest, older?.filename, older?.state])
  if (key === shownStatus) return
  shownStatus = key
  statusPanel.dataset.state = latest?.state ?? 'none'
  if (!latest) {
    statusPanel.replaceChildren(h('p', {}, gettext('You have not submitted a video yet.')))
    return
  }
  statusPanel.replaceChildren(submissionDetails(latest, latest === uploading ? UPLOADING_TEXT() : workingText(latest)))
  if (older && older.state === 'ready') {
    const text =
      latest.state === 'failed'
        ? gettext('Your teacher still sees your submitted video, “%(filename)s”.')
        : gettext('Your teacher sees your submitted video, “%(filename)s”, until this one is ready.')
    statusPanel.append(h('p', { class: 'note' }, interpolate(text, { filename: older.filename })))
  }
}

/** The teacher's grade and comment, redrawn only when they change (announced politely). */
function renderGrade(): void {
  const grade = mine.grade ?? null
  const key = JSON.stringify(grade)
  if (shownGrade === null && !grade) return // nothing given yet: the page shows none
  if (key === shownGrade) return
  shownGrade = key
  const section = byId('my-grade')
  section.hidden = !grade
  if (!grade) return
  const score = interpolate(gettext('%(score)s / %(max)s'), {
    score: formatNumber(grade.score),
    max: formatNumber(grade.max_points),
  })
  const body = byId('my-grade-body')
  body.replaceChildren(h('p', { class: 'lti-grade' }, h('strong', {}, score)))
  if (grade.comment) body.append(h('blockquote', { id: 'my-grade-comment' }, grade.comment))
}

function formatNumber(value: number): string {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value)
}

/** Asks for news (a grade, a comment, a state) with growing pauses while nothing changes,
 * and soon again when something did or the student comes back to the tab. */
function followUpdates(): void {
  let step = 0
  let timer: number | undefined
  const next = () => {
    window.clearTimeout(timer)
    timer = window.setTimeout(check, UPDATE_DELAYS_MS[Math.min(step, UPDATE_DELAYS_MS.length - 1)])
  }
  const check = async () => {
    if (document.hidden) return next()
    const before = JSON.stringify([mine.grade, mine.current?.state, mine.current?.id])
    try {
      await refresh()
      step = JSON.stringify([mine.grade, mine.current?.state, mine.current?.id]) === before ? step + 1 : 0
    } catch {
      step += 1 // offline or a session that ended: try again later, less often
    }
    next()
  }
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return
    step = 0
    void check()
  })
  next()
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
  if (uploading?.id === submission.id) uploading = submission.state === 'pending_upload' ? submission : null
  if (mine.current?.id === submission.id) mine = { ...mine, current: submission }
  else if (submission.state !== 'pending_upload') mine = { ...mine, in_progress: submission }
  render()
}

async function refresh(): Promise<void> {
  mine = await api.mySubmission()
  render()
  const working = mine.in_progress
  if (working && WORKING_STATES.has(working.state)) void watch(working.id)
}

/** Polls one submission until it is ready or failed; a newer watch() call ends this one.
 * Resolves with its last known state (also when `giveUpAfter` ms pass first). */
async function watch(
  submissionId: number,
  giveUpAfter = Infinity,
  stopWhenNot: Submission['state'] | null = null, // e.g. 'uploaded': until storage decided
): Promise<Submission | null> {
  watchedId = submissionId
  const until = Date.now() + giveUpAfter
  let last: Submission | null = null
  while (watchedId === submissionId && Date.now() < until) {
    await delay(POLL_INTERVAL_MS)
    if (watchedId !== submissionId) return last
    try {
      last = await api.submission(submissionId)
      clearError()
      track(last)
      if (last.state === 'ready') await refresh() // the server now lists it as current
      if (!WORKING_STATES.has(last.state) || (stopWhenNot && last.state !== stopWhenNot)) return last
    } catch (error) {
      showError(messageOf(error))
      if (!(error instanceof ApiError && error.isTransient)) return last
    }
  }
  return last
}

/** Keeps polling a submission still being processed (after the uploader stopped waiting). */
function followed(submission: Submission): Submission {
  if (WORKING_STATES.has(submission.state)) void watch(submission.id)
  return submission
}

/** Confirms the upload, then waits (a while) for the server's verdict on the video. */
async function confirm(submission: Submission, onConfirmed: () => void): Promise<Submission> {
  for (let attempt = 0; ; attempt++) {
    try {
      const confirmed = await api.confirmUpload(submission.id)
      onConfirmed()
      uploading = null
      track(confirmed)
      if (confirmed.state !== 'uploaded') return followed(confirmed)
      // Until storage has looked at the file, its fate is open: the uploader waits a while.
      const verdict = (await watch(confirmed.id, VERDICT_WAIT_MS, 'uploaded')) ?? confirmed
      return followed(verdict)
    } catch (error) {
      const retryable = error instanceof ApiError && error.isTransient
      if (!retryable || attempt >= CONFIRM_RETRY_DELAYS_MS.length) {
        uploading = null
        render()
        throw error
      }
      await delay(CONFIRM_RETRY_DELAYS_MS[attempt])
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** The due date in the student's own time zone and language (the server wrote UTC). */
function showDueDate(): void {
  const due = document.getElementById('due-date')
  const iso = due?.querySelector('time')?.getAttribute('datetime')
  if (!due || !iso) return
  const when = new Date(iso)
  if (Number.isNaN(when.getTime())) return
  // dateStyle/timeStyle cannot be combined with timeZoneName: spell the parts out.
  const text = new Intl.DateTimeFormat(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(when)
  due.querySelector('time')!.textContent = text
}

/** The session cannot be renewed: nothing is lost (Golden Retriever keeps the chosen or
 * recorded video in this browser); the student reopens the assignment to continue. */
api.onSessionEnded = (message) => {
  showError(
    interpolate(
      gettext('%(reason)s Your video is kept in this browser: open the assignment again from your course, in this browser, and it continues where it stopped.'),
      { reason: message },
    ),
  )
}

showDueDate()
createUploader({
  target: byId('uploader'),
  assignment: launch.assignment,
  api,
  recordingTimer: byId('recording-timer'),
  userKey: launch.user.key,
  onNote: (text) => {
    const note = byId('connection-note')
    note.textContent = text
    note.hidden = !text
  },
  onSending: (submission) => {
    watchedId = null
    uploading = submission
    render()
  },
  onUploadStart: () => clearError(),
  onUploaded: (submission, confirmed) => confirm(submission, confirmed),
  onUploadFailed: () => {
    uploading = null
    render()
  },
  onCancelled: (submissionId) => {
    if (uploading?.id === submissionId) uploading = null
    clearError()
    render() // the page as it was before this upload
    refresh().catch((error: unknown) => showError(messageOf(error)))
  },
  onError: showError,
})

initStudentWithdraw({ api, status: statusPanel, onWithdrawn: () => void refresh() })
followUpdates()
refresh().catch((error: unknown) => {
  statusPanel.dataset.state = 'error'
  statusPanel.replaceChildren(h('p', {}, gettext('Your submission could not be loaded.')))
  showError(messageOf(error))
})
