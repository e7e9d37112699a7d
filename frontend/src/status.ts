// Renders a submission's state and details as a definition list, for the student's #status.

import type { Submission } from './api'
import { h } from './dom'
import { formatBytes, formatDate, formatDuration } from './format'
import { gettext, interpolate } from './i18n'

/** "Ready", or "Failed: <reason>" when the server gave one. */
export function stateText(submission: Submission): string {
  if (submission.state === 'failed' && submission.error_message) {
    return interpolate(gettext('%(state)s: %(reason)s'), {
      state: submission.state_label,
      reason: submission.error_message,
    })
  }
  return submission.state_label
}

/** `status` replaces the state text, e.g. "Uploading…" while this page sends the file. */
export function submissionDetails(submission: Submission, status = stateText(submission)): HTMLDListElement {
  const rows: [string, string][] = [
    [gettext('Status'), status],
    [gettext('File'), submission.filename || '—'],
    [gettext('Size'), formatBytes(submission.size_bytes)],
    [gettext('Length'), formatDuration(submission.duration_seconds)],
  ]
  // "Submitted" only once the server confirmed the upload (not while sending, not failed).
  if (submission.uploaded_at && submission.state !== 'failed') {
    rows.push([gettext('Submitted'), formatDate(submission.uploaded_at)])
  }
  return h(
    'dl',
    { class: 'submission-details' },
    ...rows.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
  )
}
