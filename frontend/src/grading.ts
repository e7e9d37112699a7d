// Teacher page: the grading panel beside the player. Saves a grade and comment, shows how far
// its score got on its way to the LMS gradebook (#grade-sync), offers "Resend" when it failed,
// and puts each student's grade and sync state in the submissions table.

import './grading.css'

import { ApiClient, type Submission } from './api'
import type { components } from './api-schema'
import { byId, h, messageOf } from './dom'
import { gettext, pageLocale } from './i18n'

export type GradeSyncState = 'none' | 'unavailable' | 'pending' | 'sent' | 'failed'

type Schemas = components['schemas']

// The schema types `sync.state` as a plain string (its values mix the score send's states with
// "none" and "unavailable"); the page narrows it to the ones it has labels for.
export type GradeSync = Omit<Schemas['GradeSyncOut'], 'state'> & { state: GradeSyncState }

export type GradeState = Omit<Schemas['GradeOut'], 'sync'> & { sync: GradeSync }

export class GradesApi extends ApiClient {
  grades(): Promise<GradeState[]> {
    return this.request('GET', '/grades')
  }

  grade(submissionId: number): Promise<GradeState> {
    return this.request('GET', `/submissions/${submissionId}/grade`)
  }

  saveGrade(submissionId: number, score: number, comment: string): Promise<GradeState> {
    const body = { score, comment } satisfies Schemas['GradeIn']
    return this.request('POST', `/submissions/${submissionId}/grade`, body)
  }

  resendGrade(submissionId: number): Promise<GradeState> {
    return this.request('POST', `/submissions/${submissionId}/grade/resend`)
  }
}

const POLL_MS = 4000
const SYNC_LABELS: Record<GradeSyncState, string> = {
  none: gettext('Not graded'),
  unavailable: gettext('Saved here only'),
  pending: gettext('Sending…'),
  sent: gettext('Sent to the LMS'),
  failed: gettext('Not sent'),
}

const points = (value: number): string =>
  new Intl.NumberFormat(pageLocale(), { maximumFractionDigits: 2 }).format(value)

/** "85 / 100 · Sent to the LMS", "Not graded · Sent to the LMS" (a submitted notice)… */
export function gradeSummary(state: GradeState): string {
  const score =
    state.score === null ? gettext('Not graded') : `${points(state.score)} / ${points(state.max_points)}`
  if (state.sync.state === 'none' || (state.score === null && state.sync.state === 'sent')) {
    return score
  }
  return `${score} · ${SYNC_LABELS[state.sync.state]}`
}

export class GradingPanel {
  private readonly form = byId<HTMLFormElement>('grade-form')
  private readonly score = this.form.elements.namedItem('score') as HTMLInputElement
  private readonly comment = this.form.elements.namedItem('comment') as HTMLTextAreaElement
  private readonly save = this.form.querySelector<HTMLButtonElement>('button[type="submit"]')!
  private readonly sync = byId('grade-sync')
  private readonly resend = byId<HTMLButtonElement>('grade-resend')
  private readonly message = byId('grade-message')
  private submission: Submission | null = null
  private pollTimer: number | undefined

  constructor(
    private readonly api: GradesApi,
    private readonly table: HTMLTableElement,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.submit()
    })
    this.resend.addEventListener('click', () => void this.resendScore())
  }

  /** Show the panel for this submission (called when the teacher opens its video). */
  async open(submission: Submission): Promise<void> {
    this.submission = submission
    this.form.hidden = false
    this.form.dataset.submissionId = String(submission.id)
    this.say('')
    this.form.reset()
    // Locked until the saved grade is shown: typing earlier would be overwritten by it.
    this.setLocked(true)
    try {
      this.show(await this.api.grade(submission.id))
    } catch (error) {
      this.say(messageOf(error), true)
    } finally {
      if (this.submission === submission) this.setLocked(false)
    }
  }

  private setLocked(locked: boolean): void {
    for (const element of Array.from(this.form.elements)) {
      if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement ||
          element instanceof HTMLButtonElement) {
        element.disabled = locked
      }
    }
    this.form.setAttribute('aria-busy', String(locked))
  }

  /** Put each student's grade and its sync state in the submissions table. */
  async refreshTable(): Promise<void> {
    try {
      for (const state of await this.api.grades()) this.showInTable(state)
    } catch {
      // The table stays usable without grades; opening a submission shows the error.
    }
  }

  private async submit(): Promise<void> {
    const submission = this.submission
    if (!submission) return
    if (!this.score.reportValidity()) return
    this.save.disabled = true
    try {
      const state = await this.api.saveGrade(submission.id, Number(this.score.value), this.comment.value)
      this.show(state)
      this.say(gettext('Grade saved.'))
    } catch (error) {
      this.say(messageOf(error), true)
    } finally {
      this.save.disabled = false
    }
  }

  private async resendScore(): Promise<void> {
    if (!this.submission) return
    this.resend.disabled = true
    try {
      this.show(await this.api.resendGrade(this.submission.id))
      this.say(gettext('Sending again.'))
    } catch (error) {
      this.say(messageOf(error), true)
    } finally {
      this.resend.disabled = false
    }
  }

  private show(state: GradeState): void {
    if (state.submission_id !== this.submission?.id) return // another submission was opened
    this.score.max = String(state.max_points)
    if (state.score !== null) this.score.value = String(state.score)
    this.comment.value = state.comment
    const earlier = state.graded_submission_id !== null && state.graded_submission_id !== state.submission_id
    byId('grade-earlier').hidden = !earlier
    this.sync.dataset.state = state.sync.state
    this.sync.textContent = state.sync.message
    this.resend.hidden = !state.sync.can_resend
    this.showInTable(state)
    window.clearTimeout(this.pollTimer)
    if (state.sync.state === 'pending') {
      // Follow a score on its way to the LMS until it arrives or fails.
      this.pollTimer = window.setTimeout(() => void this.poll(state.submission_id), POLL_MS)
    }
  }

  private async poll(submissionId: number): Promise<void> {
    if (this.submission?.id !== submissionId) return
    try {
      this.show(await this.api.grade(submissionId))
    } catch {
      this.pollTimer = window.setTimeout(() => void this.poll(submissionId), POLL_MS * 2)
    }
  }

  private showInTable(state: GradeState): void {
    const row = this.table.querySelector<HTMLTableRowElement>(
      `tr[data-submission-id="${state.submission_id}"]`,
    )
    if (!row) return
    let cell = row.querySelector<HTMLTableCellElement>('td.grade')
    if (!cell) {
      cell = h('td', { class: 'grade' })
      row.insertBefore(cell, row.lastElementChild)
    }
    cell.dataset.syncState = state.sync.state
    cell.title = state.sync.message
    cell.replaceChildren(gradeSummary(state))
  }

  private say(text: string, isError = false): void {
    this.message.textContent = text
    this.message.classList.toggle('error', isError)
  }
}
