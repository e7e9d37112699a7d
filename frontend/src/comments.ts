// Teacher page: time-stamped comments on the video. "Comment" (or the C key) pauses the player
// and opens a box for the current moment; comments show as markers on the progress bar and as
// a list whose entries seek the video there; a teacher edits and deletes their own.

import './comments.css'

import { byId, h, messageOf } from './dom'
import { formatDuration } from './format'
import { gettext, interpolate } from './i18n'
import { onProgressBar, pausePlayer, playerTime, seekTo } from './player'
import type { TeacherApi, TimedComment } from './teacher-api'

export function renderMarkers(comments: readonly TimedComment[]): void {
  onProgressBar((bar, duration) => {
    bar.querySelectorAll('.comment-marker').forEach((marker) => marker.remove())
    for (const comment of comments) {
      const left = Math.min(100, (comment.at_seconds / duration) * 100)
      bar.append(
        h('div', {
          class: 'comment-marker',
          style: `left: ${left}%`,
          title: `${formatDuration(comment.at_seconds)} ${comment.text}`,
          'data-at': String(comment.at_seconds),
          'aria-hidden': 'true',
        }),
      )
    }
  })
}

/** The list entry's button: the moment and the text; pressing it seeks the video there. */
export function seekButton(comment: TimedComment): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'comment-seek', 'data-at': String(comment.at_seconds) },
    h('span', { class: 'comment-time' }, formatDuration(comment.at_seconds)),
    h('span', { class: 'comment-text' }, comment.text),
  )
  // The title, not an aria-label: the accessible name must contain the visible text.
  button.title = interpolate(gettext('Play from %(time)s'), { time: formatDuration(comment.at_seconds) })
  button.addEventListener('click', () => seekTo(comment.at_seconds))
  return button
}

export class CommentsPanel {
  private readonly section = byId('comments')
  private readonly add = byId<HTMLButtonElement>('comment-add')
  private readonly form = byId<HTMLFormElement>('comment-form')
  private readonly text = byId<HTMLTextAreaElement>('comment-text')
  private readonly timeLabel = byId('comment-time-label')
  private readonly list = byId<HTMLOListElement>('comment-list')
  private readonly message = byId('comment-message')
  private submissionId: number | null = null
  private comments: TimedComment[] = []
  private editing: TimedComment | null = null
  private at = 0

  constructor(private readonly api: TeacherApi) {
    this.add.addEventListener('click', () => this.start())
    this.form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.save()
    })
    byId('comment-cancel').addEventListener('click', () => this.close())
    this.text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault() // Enter saves; Shift+Enter starts a new line
        this.form.requestSubmit()
      } else if (event.key === 'Escape') {
        event.preventDefault()
        this.close()
      }
    })
  }

  async open(submissionId: number, playable: boolean): Promise<void> {
    this.submissionId = submissionId
    this.section.hidden = false
    this.add.hidden = !playable
    this.close()
    this.say('')
    this.comments = []
    this.render()
    try {
      const comments = await this.api.comments(submissionId)
      if (this.submissionId !== submissionId) return
      this.comments = comments
      this.render()
    } catch (error) {
      this.say(messageOf(error), true)
    }
  }

  /** Pause and open the box for a comment at the current moment. */
  start(): void {
    const time = playerTime()
    if (this.submissionId === null || time === null || this.add.hidden) return
    pausePlayer()
    this.editing = null
    this.at = time
    this.showForm('')
  }

  private edit(comment: TimedComment): void {
    this.editing = comment
    this.at = comment.at_seconds
    this.showForm(comment.text)
  }

  private showForm(text: string): void {
    this.timeLabel.textContent = interpolate(gettext('Comment at %(time)s'), { time: formatDuration(this.at) })
    this.text.value = text
    this.form.hidden = false
    this.text.focus()
  }

  private close(): void {
    this.form.hidden = true
    this.editing = null
  }

  private async save(): Promise<void> {
    const submissionId = this.submissionId
    const text = this.text.value.trim()
    if (submissionId === null) return
    if (!text) {
      this.say(gettext('Write the comment before saving it.'), true)
      return
    }
    try {
      if (this.editing) {
        const saved = await this.api.editComment(this.editing.id, this.at, text)
        this.comments = this.comments.map((c) => (c.id === saved.id ? saved : c))
      } else {
        this.comments = [...this.comments, await this.api.addComment(submissionId, this.at, text)]
      }
      this.comments.sort((a, b) => a.at_seconds - b.at_seconds || a.id - b.id)
      this.close()
      this.render()
      this.say(gettext('Comment saved.'))
      this.add.focus()
    } catch (error) {
      this.say(messageOf(error), true)
    }
  }

  private async remove(comment: TimedComment): Promise<void> {
    try {
      await this.api.deleteComment(comment.id)
      this.comments = this.comments.filter((c) => c.id !== comment.id)
      this.render()
      this.say(gettext('Comment deleted.'))
      this.add.focus()
    } catch (error) {
      this.say(messageOf(error), true)
    }
  }

  private render(): void {
    this.list.replaceChildren(...this.comments.map((comment) => this.item(comment)))
    byId('comment-empty').hidden = this.comments.length > 0
    renderMarkers(this.comments)
  }

  private item(comment: TimedComment): HTMLLIElement {
    const actions: HTMLElement[] = []
    if (comment.mine) {
      const time = formatDuration(comment.at_seconds)
      const edit = h('button', { type: 'button', class: 'link' }, gettext('Edit'),
        h('span', { class: 'visually-hidden' }, ` ${interpolate(gettext('the comment at %(time)s'), { time })}`))
      edit.addEventListener('click', () => this.edit(comment))
      const remove = h('button', { type: 'button', class: 'link' }, gettext('Delete'),
        h('span', { class: 'visually-hidden' }, ` ${interpolate(gettext('the comment at %(time)s'), { time })}`))
      remove.addEventListener('click', () => void this.remove(comment))
      actions.push(edit, remove)
    }
    return h('li', { 'data-comment-id': String(comment.id) }, seekButton(comment), ...actions)
  }

  private say(text: string, isError = false): void {
    this.message.textContent = text
    this.message.classList.toggle('error', isError)
  }
}
