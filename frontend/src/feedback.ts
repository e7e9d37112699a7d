// Student page: the teacher's time-stamped comments on the student's video, once the grade is
// released (the grade and overall comment are rendered by the server). Each comment seeks the
// player to its moment. A held grade is announced without its score.

import type { ApiClient } from './api'
import type { components } from './api-schema'
import { renderMarkers, seekButton } from './comments'
import { h } from './dom'
import { gettext, interpolate } from './i18n'

export type MyFeedback = components['schemas']['MyFeedbackOut']

export async function initFeedback(api: ApiClient): Promise<void> {
  let feedback: MyFeedback
  try {
    feedback = await api.myFeedback()
  } catch {
    return // the page works without it; the grade itself is in the page
  }
  const section = render(feedback)
  if (!section) return
  const anchor = document.getElementById('player-section')
  anchor?.parentElement?.insertBefore(section, anchor.nextSibling)
  if (feedback.comments.length > 0) markWhenPlayerShows(feedback)
}

/** The student's player is made when their submission has loaded: mark the comments on its
 * progress bar then (and again if the page makes a new player). */
function markWhenPlayerShows(feedback: MyFeedback): void {
  const container = document.getElementById('player-container')
  if (!container) return
  const mark = (): void => {
    if (container.querySelector('.vjs-progress-holder')) renderMarkers(feedback.comments)
  }
  new MutationObserver(mark).observe(container, { childList: true })
  mark()
}

function render(feedback: MyFeedback): HTMLElement | null {
  if (feedback.held) {
    return h(
      'section',
      { id: 'my-feedback', 'aria-labelledby': 'my-feedback-heading' },
      h('h2', { id: 'my-feedback-heading' }, gettext('Your grade')),
      h('p', { class: 'note', id: 'grade-held' }, gettext('Your teacher has graded your video and will release the grades soon.')),
    )
  }
  if (!feedback.released || (feedback.comments.length === 0 && feedback.rubric.length === 0)) return null
  const section = h(
    'section',
    { id: 'my-feedback', 'aria-labelledby': 'my-feedback-heading' },
    h('h2', { id: 'my-feedback-heading' }, gettext('Feedback on your video')),
  )
  if (feedback.rubric.length > 0) section.append(rubricTable(feedback))
  if (feedback.comments.length > 0) section.append(...commentList(feedback))
  return section
}

function rubricTable(feedback: MyFeedback): HTMLElement {
  const rows = feedback.rubric.map((c) =>
    h('tr', {}, h('th', { scope: 'row' }, c.title), h('td', {}, c.description),
      h('td', { class: 'number' }, interpolate(gettext('%(points)s / %(max)s'), { points: c.points, max: c.max_points }))),
  )
  const table = h(
    'table',
    { id: 'my-rubric', class: 'my-rubric' },
    h('caption', {}, gettext('Rubric')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, gettext('Criterion')), h('th', { scope: 'col' }, gettext('Level')),
      h('th', { scope: 'col', class: 'number' }, gettext('Points')))),
    h('tbody', {}, ...rows),
  )
  const note = feedback.score_note
    ? h('p', { id: 'my-score-note' }, interpolate(gettext('Score adjusted by your teacher: %(note)s'), { note: feedback.score_note }))
    : null
  return h('div', {}, table, note)
}

function commentList(feedback: MyFeedback): HTMLElement[] {
  const list = h('ol', { class: 'comment-list', id: 'my-comments' })
  for (const comment of feedback.comments) {
    const button = seekButton(comment)
    button.addEventListener('click', () => document.getElementById('player-section')?.scrollIntoView({ block: 'nearest' }))
    list.append(h('li', { 'data-comment-id': String(comment.id) }, button))
  }
  return [
    h('h3', {}, gettext('Comments on your video')),
    h('p', { class: 'note' }, gettext('Select a comment to play your video from that moment.')),
    list,
  ]
}
