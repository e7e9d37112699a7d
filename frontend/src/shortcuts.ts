// Teacher page: keyboard shortcuts (single keys, ignored while typing in a field) and the help
// dialog that lists them.

import { byId, h } from './dom'
import { gettext } from './i18n'

export interface Shortcut {
  key: string
  label: string
  run: () => void
}

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  )
}

const OFF_KEY = 'lti-shortcuts-off'

function readOff(): boolean {
  try {
    return localStorage.getItem(OFF_KEY) === '1'
  } catch {
    return false
  }
}

export function initShortcuts(shortcuts: Shortcut[]): void {
  const help = byId<HTMLDialogElement>('shortcuts-help')
  // Single-character shortcuts can be turned off (WCAG 2.1.4): speech input users type letters.
  const enabled = byId<HTMLInputElement>('shortcuts-enabled')
  enabled.checked = !readOff()
  enabled.addEventListener('change', () => {
    try {
      if (enabled.checked) localStorage.removeItem(OFF_KEY)
      else localStorage.setItem(OFF_KEY, '1')
    } catch {
      // Not stored: the choice holds for this page only.
    }
  })
  const all: Shortcut[] = [
    ...shortcuts,
    { key: '?', label: gettext('Show this list of shortcuts'), run: () => help.showModal() },
  ]
  byId('shortcuts-list').replaceChildren(
    ...all.flatMap((s) => [h('dt', {}, h('kbd', {}, s.key)), h('dd', {}, s.label)]),
    h('dt', {}, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter')),
    h('dd', {}, gettext('Save the grade (in the grade form)')),
    h('dt', {}, h('kbd', {}, 'Enter'), ' / ', h('kbd', {}, 'Esc')),
    h('dd', {}, gettext('Save or cancel a time-stamped comment (in its box)')),
  )
  byId('shortcuts-open').addEventListener('click', () => help.showModal())
  byId('shortcuts-close').addEventListener('click', () => help.close())
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || help.open) return
    if (!enabled.checked && event.key !== '?') return
    const shortcut = all.find((s) => s.key === event.key || s.key === event.key.toLowerCase())
    if (!shortcut) return
    event.preventDefault()
    shortcut.run()
  })
}
