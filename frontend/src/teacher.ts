// Teacher page: the grading workspace. The queue on one side; the open submission's player with
// its time-stamped comments and the grade panel on the other; next/previous by button or key;
// after a save the next submission that needs grading opens.

import './teacher.css'

import { clearPlayer, showPlayback } from './player'
import { CommentsPanel } from './comments'
import { TeacherDeletion } from './deletion'
import { byId, clearError, messageOf, showError } from './dom'
import { initFrameResize } from './frame'
import { GradingPanel } from './grading'
import { gettext, interpolate } from './i18n'
import { readLaunchData } from './launch'
import { QueueView, RELEASED_EVENT } from './queue'
import { SELECT_SUBMISSION_EVENT, initRoster } from './roster'
import { initShortcuts } from './shortcuts'
import { TeacherApi, type Version } from './teacher-api'
import { VersionsPicker, versionLabel } from './versions'

initFrameResize()
const launch = readLaunchData()
const api = new TeacherApi(launch.apiBase, launch.token, launch.tokenTtl)
const status = byId('queue-status')
const comments = new CommentsPanel(api)
const queue = new QueueView(api, (item) => void openSubmission(item.submission_id))
const deletion = new TeacherDeletion({
  api,
  container: byId('deletion-action'),
  onDeleted: () => {
    byId('player-section').hidden = true
    delete byId('workspace').dataset.open
    void queue.load({ quiet: true })
  },
})
const grading = new GradingPanel(
  api,
  launch.assignment.id,
  (state) => {
    void queue.load({ quiet: true })
    void openNextToGrade(state.submission_id)
  },
  launch.assignment.rubric ?? [],
)

let opening = 0
let openName = ''

/** Plays the chosen version; the grade panel stays on the current submission. */
async function playVersion(version: Version): Promise<void> {
  const title = version.is_current
    ? interpolate(gettext('Video by %(name)s'), { name: openName })
    : interpolate(gettext('Video by %(name)s: %(version)s'), { name: openName, version: versionLabel(version) })
  showPlayback(byId('player-container'), await api.playback(version.id), title)
  const current = grading.current
  if (current) void comments.open(current.id, version.is_current)
}

const versions = new VersionsPicker((id) => api.versions(id), playVersion)

async function openSubmission(id: number): Promise<void> {
  const ticket = ++opening
  const section = byId('player-section')
  const focusBefore = document.activeElement
  section.setAttribute('aria-busy', 'true') // until the video and the grade are loaded
  try {
    const submission = await api.submission(id)
    if (ticket !== opening) return
    const name = submission.student.name
    openName = name
    const heading = byId('player-heading')
    heading.textContent = name
    section.hidden = false
    byId('workspace').dataset.open = 'true'
    queue.markOpen(id)
    void deletion.show(id, name)
    const container = byId('player-container')
    const playable = submission.state === 'ready'
    byId('not-playable').hidden = playable
    if (playable) {
      showPlayback(container, await api.playback(id), interpolate(gettext('Video by %(name)s'), { name }))
    } else {
      clearPlayer(container)
      byId('not-playable').textContent = interpolate(gettext('This video cannot be played: %(state)s.'), {
        state: submission.state_label,
      })
    }
    clearError()
    void comments.open(id, playable)
    void versions.open(id)
    await grading.open({ id, name })
    if (ticket !== opening) return
    // tabindex="-1": keyboard and screen-reader users land on the submission, unless they
    // already moved on (typing a score while it loaded) - focus is never taken back from them.
    if (document.activeElement === focusBefore || document.activeElement === document.body) {
      heading.focus()
    }
  } catch (error) {
    showError(messageOf(error))
  } finally {
    if (ticket === opening) section.setAttribute('aria-busy', 'false')
  }
}

async function step(direction: 'next' | 'previous'): Promise<void> {
  const current = grading.current
  if (!current) {
    const first = document.querySelector<HTMLButtonElement>('#submissions tr[data-submission-id] button.play')
    first?.click()
    return
  }
  try {
    const id = await api.neighbour(current.id, direction, queue.filter)
    if (id === null) status.textContent = gettext('There is no other submission in this list.')
    else await openSubmission(id)
  } catch (error) {
    showError(messageOf(error))
  }
}

async function openNextToGrade(savedId: number): Promise<void> {
  const saved = grading.current?.name ?? ''
  try {
    const id = await api.neighbour(savedId, 'next', 'needs_grading')
    if (id === null) {
      status.textContent = interpolate(gettext('Saved the grade of %(name)s. Every submission is graded.'), { name: saved })
      return
    }
    await openSubmission(id)
    status.textContent = interpolate(gettext('Saved the grade of %(name)s; opened the next submission to grade.'), {
      name: saved,
    })
  } catch (error) {
    showError(messageOf(error))
  }
}

byId('previous-submission').addEventListener('click', () => void step('previous'))
byId('next-submission').addEventListener('click', () => void step('next'))
document.addEventListener(SELECT_SUBMISSION_EVENT, (event) => {
  void openSubmission((event as CustomEvent<{ submissionId: number }>).detail.submissionId)
})
document.addEventListener(RELEASED_EVENT, () => {
  const current = grading.current
  if (current) void grading.open(current)
})

initShortcuts([
  { key: 'n', label: gettext('Next submission'), run: () => void step('next') },
  { key: 'p', label: gettext('Previous submission'), run: () => void step('previous') },
  { key: 'c', label: gettext('Comment at the current moment of the video (pauses it)'), run: () => comments.start() },
  { key: 'g', label: gettext('Go to the score field'), run: () => grading.focusScore() },
])

void queue.load().then(() => {
  if (launch.reviewSubmissionId != null) void openSubmission(launch.reviewSubmissionId)
})
initRoster(api)
