// Teacher page: the class roster from the LMS (LTI Names and Role Provisioning), showing who
// has submitted, who has not and who is late. Problems are shown inside the section, so the
// submissions table above keeps working when the LMS does not share its class list.

import './roster.css'

import type { ApiClient, Roster, RosterLearner } from './api'
import { byId, h, messageOf } from './dom'
import { formatDate, formatNumber } from './format'
import { gettext, interpolate } from './i18n'

/** Fired on `document` with the roster's counts once it is loaded (the queue shows "Missing"). */
export const ROSTER_LOADED_EVENT = 'roster:loaded'

/** Fired on `document` when the teacher picks a learner's submission in the roster. */
export const SELECT_SUBMISSION_EVENT = 'roster:select-submission'

export function initRoster(api: ApiClient): void {
  const refresh = byId<HTMLButtonElement>('roster-refresh')
  const load = async (): Promise<void> => {
    const table = byId<HTMLTableElement>('roster-table')
    refresh.disabled = true
    table.setAttribute('aria-busy', 'true')
    try {
      renderRoster(await api.roster())
    } catch (error) {
      renderRoster(null, messageOf(error))
    } finally {
      refresh.disabled = false
      table.removeAttribute('aria-busy')
    }
  }
  refresh.addEventListener('click', () => void load())
  void load()
}

function renderRoster(roster: Roster | null, error?: string): void {
  const table = byId<HTMLTableElement>('roster-table')
  const message = byId('roster-message')
  const summary = byId('roster-summary')
  const text = error ?? (roster?.available ? null : roster?.message)
  message.textContent = text ?? ''
  message.hidden = !text
  if (!roster?.available) {
    table.hidden = true
    summary.hidden = true
    return
  }
  document.dispatchEvent(new CustomEvent(ROSTER_LOADED_EVENT, { detail: roster.counts }))
  summary.textContent = summaryText(roster)
  summary.hidden = false
  const body = table.tBodies[0] ?? table.createTBody()
  body.replaceChildren(...roster.learners.map(row))
  table.hidden = roster.learners.length === 0
  if (roster.learners.length === 0) {
    message.textContent = gettext('The LMS lists no learners for this assignment.')
    message.hidden = false
  }
}

function summaryText(roster: Roster): string {
  const { enrolled, submitted, late, missing, not_enrolled: gone } = roster.counts
  const count = (n: number) => formatNumber(n)
  const parts = [
    interpolate(gettext('%(count)s enrolled'), { count: count(enrolled) }),
    interpolate(gettext('%(count)s submitted on time'), { count: count(submitted) }),
    interpolate(gettext('%(count)s late'), { count: count(late) }),
    interpolate(gettext('%(count)s missing'), { count: count(missing) }),
  ]
  if (gone > 0) parts.push(interpolate(gettext('%(count)s no longer enrolled'), { count: count(gone) }))
  const asOf = roster.fetched_at
    ? ' ' + interpolate(gettext('(class list as of %(date)s)'), { date: formatDate(roster.fetched_at) })
    : ''
  return `${parts.join(' · ')}${asOf}`
}

function row(learner: RosterLearner): HTMLTableRowElement {
  const name = learner.enrolled
    ? learner.name
    : interpolate(gettext('%(name)s (no longer enrolled)'), { name: learner.name })
  const submissionId = learner.submission_id
  let action: HTMLButtonElement | null = null
  if (submissionId !== null) {
    action = h(
      'button',
      { type: 'button', class: 'show-submission' },
      gettext('Show'),
      h('span', { class: 'visually-hidden' }, ' ' + interpolate(gettext('submission by %(name)s'), { name: learner.name })),
    )
    action.addEventListener('click', () => selectSubmission(submissionId))
  }
  return h(
    'tr',
    {
      'data-user-id': learner.user_id,
      'data-enrolled': String(learner.enrolled),
      ...(submissionId === null ? {} : { 'data-submission-id': String(submissionId) }),
    },
    h('th', { scope: 'row' }, name),
    h('td', {}, learner.email || '—'),
    h(
      'td',
      { class: 'roster-status', 'data-status': learner.status, 'data-past-due': String(learner.past_due) },
      learner.status_label,
    ),
    h('td', {}, formatDate(learner.submitted_at)),
    h('td', {}, action),
  )
}

/** Highlights the submission's row in the submissions table and moves focus to it. */
function selectSubmission(submissionId: number): void {
  const rows = document.querySelectorAll<HTMLTableRowElement>('#submissions tr[data-submission-id]')
  let target: HTMLTableRowElement | null = null
  for (const candidate of rows) {
    const match = candidate.dataset.submissionId === String(submissionId)
    candidate.classList.toggle('selected', match)
    if (match) target = candidate
  }
  document.dispatchEvent(new CustomEvent(SELECT_SUBMISSION_EVENT, { detail: { submissionId } }))
  if (!target) return
  target.scrollIntoView({ block: 'center', behavior: 'smooth' })
  const button = target.querySelector<HTMLButtonElement>('button:not(:disabled)')
  if (button) button.focus({ preventScroll: true })
}
