// Teacher page: the grading queue. The assignment's submissions a page at a time, filtered
// (needs grading, graded, late, failed, held) with counts for the whole class, refreshed in
// the background so new submissions appear without pressing anything; and "Release grades".

import { byId, h, messageOf, showError } from './dom'
import { formatDate } from './format'
import { GRADE_CHANGED_EVENT, scoreText, syncLabel } from './grading'
import { gettext, interpolate, ngettext } from './i18n'
import { ROSTER_LOADED_EVENT } from './roster'
import type { GradeState, GradeSyncState, Queue, QueueFilter, QueueItem, TeacherApi } from './teacher-api'

const POLL_MS = 15_000

function filterLabels(): Record<QueueFilter, string> {
  return {
    all: gettext('All'),
    needs_grading: gettext('Needs grading'),
    graded: gettext('Graded'),
    late: gettext('Late'),
    failed: gettext('Failed'),
    held: gettext('Held'),
  }
}

export class QueueView {
  filter: QueueFilter = 'all'
  private page = 1
  private openId: number | null = null
  private missing: number | null = null // from the LMS's class list, when it shares one
  private last: Queue | null = null
  private readonly table = byId<HTMLTableElement>('submissions')
  private readonly filters = byId('queue-filters')
  private readonly pager = byId('queue-pager')
  private readonly release = byId<HTMLButtonElement>('release-grades')

  constructor(
    private readonly api: TeacherApi,
    private readonly onOpen: (item: QueueItem) => void,
  ) {
    this.release.addEventListener('click', () => void this.releaseGrades())
    document.addEventListener(GRADE_CHANGED_EVENT, (event) => {
      this.showGrade((event as CustomEvent<GradeState>).detail) // at once, then counts too
      void this.load({ quiet: true })
    })
    document.addEventListener(ROSTER_LOADED_EVENT, (event) => {
      this.missing = (event as CustomEvent<{ missing: number }>).detail.missing
      if (this.last) this.renderFilters(this.last)
    })
    window.setInterval(() => {
      if (document.visibilityState === 'visible') void this.load({ quiet: true })
    }, POLL_MS)
  }

  /** Loads the current filter and page; `quiet`: a background refresh (no busy state). */
  async load({ quiet = false } = {}): Promise<void> {
    if (!quiet) this.table.setAttribute('aria-busy', 'true')
    try {
      this.render(await this.api.queue(this.filter, this.page))
    } catch (error) {
      if (!quiet) showError(messageOf(error))
    } finally {
      this.table.removeAttribute('aria-busy')
    }
  }

  markOpen(submissionId: number): void {
    this.openId = submissionId
    for (const row of this.table.querySelectorAll<HTMLTableRowElement>('tr[data-submission-id]')) {
      const open = row.dataset.submissionId === String(submissionId)
      row.classList.toggle('open', open)
      if (open) row.setAttribute('aria-current', 'true')
      else row.removeAttribute('aria-current')
    }
  }

  private render(queue: Queue): void {
    this.last = queue
    this.page = queue.page
    this.renderFilters(queue)
    const body = this.table.tBodies[0] ?? this.table.createTBody()
    body.replaceChildren(...queue.items.map((item) => this.row(item, queue.max_points)))
    this.table.hidden = queue.items.length === 0
    const empty = byId('empty')
    empty.hidden = queue.items.length > 0
    empty.textContent = queue.counts.all === 0 ? gettext('No submissions yet.') : gettext('No submissions in this list.')
    this.renderPager(queue)
    const held = queue.counts.held
    byId('release-bar').hidden = held === 0
    byId('release-count').textContent = interpolate(
      ngettext('%(count)s grade is held.', '%(count)s grades are held.', held),
      { count: held },
    )
    if (this.openId !== null) this.markOpen(this.openId)
  }

  private renderFilters(queue: Queue): void {
    const labels = filterLabels()
    const buttons = (Object.keys(labels) as QueueFilter[]).map((name) => {
      const button = h(
        'button',
        { type: 'button', class: 'queue-filter', 'data-filter': name, 'aria-pressed': String(name === queue.filter) },
        `${labels[name]} `,
        h('span', { class: 'count' }, String(queue.counts[name])),
      )
      button.addEventListener('click', () => {
        this.filter = name
        this.page = 1
        void this.load()
      })
      return button
    })
    if (this.missing !== null) {
      // Learners without a submission are not in the queue: the class roster lists them.
      const missing = h('button', { type: 'button', class: 'queue-filter', 'data-filter': 'missing' },
        `${gettext('Missing')} `, h('span', { class: 'count' }, String(this.missing)))
      missing.addEventListener('click', () => {
        byId('roster').scrollIntoView({ block: 'start' })
        byId('roster-heading').focus()
      })
      buttons.push(missing)
    }
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.filter : undefined
    this.filters.replaceChildren(...buttons)
    if (focused) this.filters.querySelector<HTMLButtonElement>(`[data-filter="${focused}"]`)?.focus()
  }

  private renderPager(queue: Queue): void {
    this.pager.hidden = queue.pages <= 1
    const go = (page: number): void => {
      this.page = page
      void this.load()
    }
    const previous = h('button', { type: 'button', disabled: queue.page <= 1 }, gettext('Previous page'))
    previous.addEventListener('click', () => go(queue.page - 1))
    const next = h('button', { type: 'button', disabled: queue.page >= queue.pages }, gettext('Next page'))
    next.addEventListener('click', () => go(queue.page + 1))
    const where = interpolate(gettext('Page %(page)s of %(pages)s'), { page: queue.page, pages: queue.pages })
    this.pager.replaceChildren(previous, h('span', {}, where), next)
  }

  /** Puts a grade just saved or resent in its row, before the next refresh brings it. */
  private showGrade(state: GradeState): void {
    const cell = this.table.querySelector<HTMLTableCellElement>(
      `tr[data-submission-id="${state.submission_id}"] td.grade`,
    )
    if (!cell) return
    const sync = state.held ? 'held' : state.sync.state
    cell.dataset.syncState = sync
    cell.textContent = gradeText(state.score, state.max_points, state.held, state.sync.state)
  }

  private row(item: QueueItem, maxPoints: number): HTMLTableRowElement {
    const name = item.student.name
    const open = h(
      'button',
      { type: 'button', class: 'play' },
      gettext('Open'),
      h('span', { class: 'visually-hidden' }, ` ${interpolate(gettext('submission by %(name)s'), { name })}`),
    )
    open.addEventListener('click', () => this.onOpen(item))
    const status = item.late ? `${item.state_label} · ${gettext('late')}` : item.state_label
    const grade = gradeText(item.score, maxPoints, item.held, item.sync_state)
    return h(
      'tr',
      { 'data-submission-id': String(item.submission_id), 'data-state': item.state, 'data-late': String(item.late) },
      h('th', { scope: 'row' }, name),
      h('td', { class: 'status' }, status),
      h('td', { class: 'grade', 'data-sync-state': item.held ? 'held' : (item.sync_state ?? 'none') }, grade),
      h('td', { class: 'submitted' }, formatDate(item.submitted_at)),
      h('td', {}, open),
    )
  }

  private async releaseGrades(): Promise<void> {
    this.release.disabled = true
    try {
      const { released } = await this.api.releaseGrades()
      byId('queue-status').textContent = interpolate(
        ngettext('Released %(count)s grade to the student and the LMS.', 'Released %(count)s grades to the students and the LMS.', released),
        { count: released },
      )
      await this.load()
      document.dispatchEvent(new CustomEvent(RELEASED_EVENT))
    } catch (error) {
      showError(messageOf(error))
    } finally {
      this.release.disabled = false
    }
  }
}

/** "17 / 20 · Sent to the LMS", "12 / 20 · Held", "Not graded". */
function gradeText(score: number | null, maxPoints: number, held: boolean, sync: string | null): string {
  if (score === null) return gettext('Not graded')
  const known = ['none', 'unavailable', 'pending', 'sent', 'failed']
  const label = held ? gettext('Held') : sync && sync !== 'none' && known.includes(sync) ? syncLabel(sync as GradeSyncState) : ''
  return [scoreText(score, maxPoints), label].filter(Boolean).join(' · ')
}

/** Fired on `document` after grades were released (the open grade panel shows it). */
export const RELEASED_EVENT = 'queue:released'
