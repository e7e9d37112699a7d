// Teacher page: the grade panel beside the player. Saves a grade and comment, shows how far its
// score got on its way to the LMS gradebook (#grade-sync) or that it is held until release,
// offers "Resend" when sending failed, and keeps what is typed in this browser (localStorage)
// until it is saved, so an expired session or a closed tab loses nothing.

import './grading.css'

import { byId, messageOf } from './dom'
import { gettext, interpolate, pageLocale } from './i18n'
import type { RubricCriterion } from './launch'
import { RubricInput } from './rubric-input'
import type { GradeState, GradeSyncState, TeacherApi } from './teacher-api'

export interface Opened {
  id: number
  name: string
}

interface Draft {
  score: string
  comment: string
  levels?: (number | null)[]
  note?: string
}

const POLL_MS = 4000
/** Fired on `document` when a grade's sync state changed (resent, or arrived): the queue shows it. */
export const GRADE_CHANGED_EVENT = 'grading:changed'
const changed = (state: GradeState): boolean =>
  document.dispatchEvent(new CustomEvent<GradeState>(GRADE_CHANGED_EVENT, { detail: state }))

const points = (value: number): string =>
  new Intl.NumberFormat(pageLocale(), { maximumFractionDigits: 2 }).format(value)

export function syncLabel(state: GradeSyncState): string {
  const labels: Record<GradeSyncState, string> = {
    none: gettext('Not graded'),
    unavailable: gettext('Saved here only'),
    pending: gettext('Sending…'),
    sent: gettext('Sent to the LMS'),
    failed: gettext('Not sent'),
  }
  return labels[state]
}

export function scoreText(score: number | null, maxPoints: number): string {
  return score === null
    ? gettext('Not graded')
    : interpolate(gettext('%(score)s / %(max)s'), { score: points(score), max: points(maxPoints) })
}

export class GradingPanel {
  private readonly form = byId<HTMLFormElement>('grade-form')
  private readonly score = byId<HTMLInputElement>('grade-score')
  private readonly comment = byId<HTMLTextAreaElement>('grade-comment')
  private readonly save = byId<HTMLButtonElement>('grade-save')
  private readonly sync = byId('grade-sync')
  private readonly resend = byId<HTMLButtonElement>('grade-resend')
  private readonly message = byId('grade-message')
  private readonly draftNote = byId('grade-draft-note')
  private readonly note = byId<HTMLTextAreaElement>('grade-note')
  private readonly rubric: RubricInput
  private opened: Opened | null = null
  private pollTimer: number | undefined

  constructor(
    private readonly api: TeacherApi,
    private readonly assignmentId: number,
    private readonly onSaved: (state: GradeState) => void,
    rubric: RubricCriterion[] = [],
  ) {
    this.rubric = new RubricInput(byId('grade-rubric'), rubric, (total) => {
      this.score.value = String(total) // the rubric fills the score; the teacher may adjust it
      this.showNote()
    })
    this.score.addEventListener('input', () => this.showNote())
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.submit()
    })
    this.form.addEventListener('input', () => this.keepDraft())
    // Ctrl+Enter (Cmd+Enter) saves from the comment box, where Enter starts a new line.
    this.form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault()
        this.form.requestSubmit()
      }
    })
    this.resend.addEventListener('click', () => void this.resendScore())
  }

  get current(): Opened | null {
    return this.opened
  }

  focusScore(): void {
    this.score.focus()
    this.score.select()
  }

  /** Show the panel for this submission. */
  async open(opened: Opened): Promise<void> {
    this.opened = opened
    this.form.hidden = false
    this.form.dataset.submissionId = String(opened.id)
    this.say('')
    this.form.reset()
    this.draftNote.hidden = true
    // Locked until the saved grade is shown: typing earlier would be overwritten by it.
    this.setLocked(true)
    try {
      const state = await this.api.grade(opened.id)
      this.show(state)
      this.restoreDraft(state)
    } catch (error) {
      this.say(messageOf(error), true)
    } finally {
      if (this.opened === opened) this.setLocked(false)
    }
  }

  private setLocked(locked: boolean): void {
    for (const element of [this.score, this.comment, this.note, this.save]) element.disabled = locked
    this.rubric.setDisabled(locked)
    this.form.setAttribute('aria-busy', String(locked))
  }

  private async submit(): Promise<void> {
    const opened = this.opened
    if (!opened || !this.score.reportValidity()) return
    this.save.disabled = true
    try {
      const state = await this.api.saveGrade(opened.id, Number(this.score.value), this.comment.value, {
        rubric_levels: this.rubric.levels(),
        score_note: this.noteNeeded() ? this.note.value : '',
      })
      this.dropDraft(opened.id)
      this.show(state)
      changed(state)
      this.say(state.held ? gettext('Grade saved and held until you release grades.') : gettext('Grade saved.'))
      this.onSaved(state)
    } catch (error) {
      const kept = gettext('What you typed is kept in this browser and comes back when you open this submission again.')
      this.say(`${messageOf(error)} ${kept}`, true)
    } finally {
      this.save.disabled = false
    }
  }

  private async resendScore(): Promise<void> {
    if (!this.opened) return
    this.resend.disabled = true
    try {
      const state = await this.api.resendGrade(this.opened.id)
      this.show(state)
      this.say(gettext('Sending again.'))
      changed(state)
    } catch (error) {
      this.say(messageOf(error), true)
    } finally {
      this.resend.disabled = false
    }
  }

  private show(state: GradeState): void {
    if (state.submission_id !== this.opened?.id) return // another submission was opened
    this.score.max = String(state.max_points)
    byId('grade-max').textContent = points(state.max_points)
    this.score.value = state.score === null ? '' : String(state.score)
    this.comment.value = state.comment
    this.rubric.set(state.rubric_levels)
    this.note.value = state.score_note
    this.showNote()
    const earlier = state.graded_submission_id !== null && state.graded_submission_id !== state.submission_id
    byId('grade-earlier').hidden = !earlier
    this.sync.dataset.state = state.held ? 'held' : state.sync.state
    this.sync.textContent = state.held
      ? gettext('Held: the student and the LMS gradebook get this grade when you press “Release grades”.')
      : state.sync.message
    this.resend.hidden = state.held || !state.sync.can_resend
    window.clearTimeout(this.pollTimer)
    if (!state.held && state.sync.state === 'pending') {
      // Follow a score on its way to the LMS until it arrives or fails.
      this.pollTimer = window.setTimeout(() => void this.poll(state.submission_id), POLL_MS)
    }
  }

  private async poll(submissionId: number): Promise<void> {
    if (this.opened?.id !== submissionId) return
    try {
      const state = await this.api.grade(submissionId)
      this.show(state)
      if (state.sync.state !== 'pending') changed(state)
    } catch {
      this.pollTimer = window.setTimeout(() => void this.poll(submissionId), POLL_MS * 2)
    }
  }

  /** A score other than the rubric's total needs a note saying why. */
  private noteNeeded(): boolean {
    const total = this.rubric.total()
    return total !== null && this.score.value !== '' && Number(this.score.value) !== total
  }

  private showNote(): void {
    const needed = this.noteNeeded()
    byId('grade-note-block').hidden = !needed
    this.note.required = needed
  }

  private say(text: string, isError = false): void {
    this.message.textContent = text
    this.message.classList.toggle('error', isError)
  }

  // --- Unsaved work kept in this browser, per assignment and submission.

  private draftKey(submissionId: number): string {
    return `lti-grade-draft:${this.assignmentId}:${submissionId}`
  }

  private keepDraft(): void {
    if (!this.opened) return
    const draft: Draft = {
      score: this.score.value,
      comment: this.comment.value,
      levels: this.rubric.choices(),
      note: this.note.value,
    }
    try {
      localStorage.setItem(this.draftKey(this.opened.id), JSON.stringify(draft))
    } catch {
      // Storage full or blocked (some browsers in third-party frames): nothing more to do.
    }
  }

  private dropDraft(submissionId: number): void {
    try {
      localStorage.removeItem(this.draftKey(submissionId))
    } catch {
      // See keepDraft.
    }
  }

  private restoreDraft(state: GradeState): void {
    let draft: Draft | null = null
    try {
      const raw = localStorage.getItem(this.draftKey(state.submission_id))
      draft = raw ? (JSON.parse(raw) as Draft) : null
    } catch {
      draft = null
    }
    const saved = state.score === null ? '' : String(state.score)
    if (!draft || (draft.score === saved && draft.comment === state.comment)) return
    this.score.value = draft.score
    this.comment.value = draft.comment
    if (draft.levels) this.rubric.setChoices(draft.levels)
    this.note.value = draft.note ?? ''
    this.showNote()
    this.draftNote.hidden = false
  }
}
