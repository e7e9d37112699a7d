// Deleting the open submission from the grading workspace (with a reason, confirmed), and
// when retention will delete its video; a student's "Withdraw my video".

import type { ApiClient } from './api'
import { h, messageOf } from './dom'
import { formatDate } from './format'
import { gettext, interpolate } from './i18n'

interface Options {
  api: ApiClient // the page's client (it renews the launch token)
  /** Where the open submission's "Delete…" button and expiry note go. */
  container: HTMLElement
  onDeleted: () => void
}

/** The workspace calls show() for each submission it opens. */
export class TeacherDeletion {
  private readonly api: ApiClient
  private readonly dialog: DeleteDialog

  constructor(private readonly options: Options) {
    this.api = options.api
    this.dialog = new DeleteDialog(this.api, options.onDeleted)
  }

  async show(submissionId: number, name: string): Promise<void> {
    const button = h('button', { type: 'button', class: 'delete secondary' }, gettext('Delete…'))
    button.setAttribute('aria-label', interpolate(gettext('Delete the video by %(name)s'), { name }))
    button.addEventListener('click', () => this.dialog.open(submissionId, name))
    this.options.container.replaceChildren(button)
    let expires: string | null | undefined
    try {
      expires = (await this.api.retention()).find((e) => e.submission_id === submissionId)?.expires_at
    } catch {
      return // the expiry is a hint; deleting works without it
    }
    if (expires && button.isConnected) {
      const text = interpolate(gettext('Kept until %(date)s'), { date: formatDate(expires) })
      button.after(h('small', { class: 'expiry' }, ' ', text))
    }
  }
}

class DeleteDialog {
  private readonly dialog: HTMLDialogElement
  private readonly reason: HTMLTextAreaElement
  private readonly error: HTMLParagraphElement
  private readonly title: HTMLHeadingElement
  private submissionId = 0

  constructor(
    private readonly api: ApiClient,
    private readonly onDeleted: () => void,
  ) {
    this.reason = h('textarea', { id: 'delete-reason', required: true, rows: '3' })
    this.error = h('p', { class: 'error', role: 'alert', hidden: true })
    this.title = h('h2', { id: 'delete-title' })
    const cancel = h('button', { type: 'button', value: 'cancel' }, gettext('Cancel'))
    cancel.addEventListener('click', () => this.dialog.close())
    const form = h(
      'form',
      { method: 'dialog' },
      this.title,
      h(
        'p',
        {},
        gettext(
          'The video is removed from storage and the grade in the gradebook is cleared. ' +
            'This cannot be undone.',
        ),
      ),
      h('label', { for: 'delete-reason' }, gettext('Why is this video deleted?')),
      this.reason,
      this.error,
      h('p', {}, cancel, ' ', h('button', { type: 'submit', class: 'danger' }, gettext('Delete video'))),
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      void this.confirm()
    })
    this.dialog = h('dialog', { 'aria-labelledby': 'delete-title' }, form)
    document.body.append(this.dialog)
  }

  open(submissionId: number, name: string): void {
    this.submissionId = submissionId
    this.title.textContent = interpolate(gettext('Delete the video by %(name)s?'), { name })
    this.reason.value = ''
    this.error.hidden = true
    this.dialog.showModal()
    this.reason.focus()
  }

  private async confirm(): Promise<void> {
    try {
      await this.api.deleteSubmission(this.submissionId, this.reason.value)
      this.dialog.close()
      this.onDeleted()
    } catch (error) {
      this.error.textContent = messageOf(error)
      this.error.hidden = false
    }
  }
}

interface StudentOptions {
  api: ApiClient // the page's client (it renews the launch token)
  status: HTMLElement // the page's #status panel: its data-state says when to look again
  onWithdrawn: () => void
}

/** A "Withdraw my video" button under the student's status while a video is handed in;
 * the server refuses it once the due date has passed (and says so). */
export function initStudentWithdraw({ api, status, onWithdrawn }: StudentOptions): void {
  const label = gettext('Withdraw my video')
  const button = h('button', { type: 'button', id: 'withdraw', hidden: true }, label)
  status.after(button)
  let currentId: number | null = null
  const dialog = new ConfirmDialog(
    gettext('Withdraw your video?'),
    gettext(
      'Your teacher will no longer see it, it is removed from storage, and the gradebook ' +
        'shows nothing handed in. You can upload another video while the assignment is open.',
    ),
    gettext('Withdraw'),
    async () => {
      if (currentId === null) return
      await api.withdraw(currentId)
      onWithdrawn()
    },
  )
  button.addEventListener('click', () => dialog.open())
  const look = async (): Promise<void> => {
    try {
      currentId = (await api.mySubmission()).current?.id ?? null
    } catch {
      currentId = null
    }
    button.hidden = currentId === null
  }
  new MutationObserver(() => void look()).observe(status, {
    attributes: true,
    attributeFilter: ['data-state'],
  })
}

class ConfirmDialog {
  private readonly dialog: HTMLDialogElement
  private readonly error: HTMLParagraphElement

  constructor(title: string, text: string, action: string, onConfirm: () => Promise<void>) {
    this.error = h('p', { class: 'error', role: 'alert', hidden: true })
    const cancel = h('button', { type: 'button' }, gettext('Cancel'))
    cancel.addEventListener('click', () => this.dialog.close())
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, text),
      this.error,
      h('p', {}, cancel, ' ', h('button', { type: 'submit', class: 'danger' }, action)),
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      onConfirm()
        .then(() => this.dialog.close())
        .catch((error: unknown) => {
          this.error.textContent = messageOf(error)
          this.error.hidden = false
        })
    })
    this.dialog = h('dialog', { 'aria-labelledby': 'confirm-title' }, form)
    document.body.append(this.dialog)
  }

  open(): void {
    this.error.hidden = true
    this.dialog.showModal()
  }
}
