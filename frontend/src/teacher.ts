// Teacher page: lists the assignment's submissions and plays one on request.

import './teacher.css'

import { ApiClient, type Submission } from './api'
import { byId, clearError, h, messageOf, showError } from './dom'
import { formatBytes, formatDate, formatDuration } from './format'
import { GradesApi, GradingPanel } from './grading'
import { readLaunchData } from './launch'
import { showPlayback } from './player'
import { initRoster } from './roster'
import { stateText } from './status'

const launch = readLaunchData()
const api = new ApiClient(launch.apiBase, launch.token, launch.tokenTtl)
const table = byId<HTMLTableElement>('submissions')
const refreshButton = byId<HTMLButtonElement>('refresh')
const grading = new GradingPanel(new GradesApi(launch.apiBase, launch.token), table)

function row(submission: Submission): HTMLTableRowElement {
  const name = submission.student.name
  const play = h(
    'button',
    { type: 'button', class: 'play', disabled: submission.state !== 'ready' },
    'Play',
    h('span', { class: 'visually-hidden' }, ` video by ${name}`),
  )
  play.addEventListener('click', () => void playSubmission(submission, play))
  return h(
    'tr',
    { 'data-submission-id': String(submission.id), 'data-state': submission.state },
    h('th', { scope: 'row' }, name),
    h('td', {}, stateText(submission)),
    h('td', { class: 'number' }, formatBytes(submission.size_bytes)),
    h('td', { class: 'number' }, formatDuration(submission.duration_seconds)),
    h('td', {}, formatDate(submission.created_at)),
    h('td', { class: 'grade' }), // filled in by the grading panel
    h('td', {}, play),
  )
}

function renderList(submissions: Submission[]): void {
  const body = table.tBodies[0] ?? table.createTBody()
  body.replaceChildren(...submissions.map(row))
  table.hidden = submissions.length === 0
  byId('empty').hidden = submissions.length > 0
}

async function loadList(): Promise<void> {
  refreshButton.disabled = true
  table.setAttribute('aria-busy', 'true')
  try {
    renderList(await api.submissions())
    void grading.refreshTable()
    clearError()
  } catch (error) {
    showError(messageOf(error))
  } finally {
    refreshButton.disabled = false
    table.removeAttribute('aria-busy')
  }
}

async function playSubmission(submission: Submission, button: HTMLButtonElement): Promise<void> {
  button.disabled = true
  try {
    const playback = await api.playback(submission.id)
    clearError()
    const heading = byId('player-heading')
    heading.textContent = submission.student.name
    byId('player-section').hidden = false
    showPlayback(byId('player-container'), playback, `Video by ${submission.student.name}`)
    void grading.open(submission)
    heading.focus() // tabindex="-1": moves keyboard and screen-reader users to the player
  } catch (error) {
    showError(messageOf(error))
  } finally {
    button.disabled = false
  }
}

/** A Submission Review launch opens that student's submission, as if Play was pressed. */
async function openReview(): Promise<void> {
  const id = launch.reviewSubmissionId
  if (id == null) return
  const play = table.querySelector<HTMLButtonElement>(`tr[data-submission-id="${id}"] button.play`)
  if (play && !play.disabled) return play.click()
  try {
    const submission = await api.submission(id) // not playable yet: grade it without the video
    byId('player-heading').textContent = submission.student.name
    byId('player-section').hidden = false
    await grading.open(submission)
  } catch (error) {
    showError(messageOf(error))
  }
}

refreshButton.addEventListener('click', () => void loadList())
void loadList().then(openReview)
initRoster(api)
