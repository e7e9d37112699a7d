// Small DOM helpers: look up required elements, build elements without innerHTML, and show
// messages in the page's #error alert.

import { gettext } from './i18n'

type Child = Node | string | null | undefined | false

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id)
  if (!element) throw new Error(`The page has no element with id "${id}".`)
  return element as T
}

/** h('p', { class: 'note' }, 'Hello') -> <p class="note">Hello</p>; text is never parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '')
    else if (value !== false) element.setAttribute(name, value)
  }
  for (const child of children) {
    if (child) element.append(child)
  }
  return element
}

export function showError(message: string): void {
  const box = byId('error')
  box.textContent = message
  box.hidden = false
}

export function clearError(): void {
  const box = byId('error')
  box.textContent = ''
  box.hidden = true
}

/** The message to show for anything thrown: our ApiError messages are written for people. */
export function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : gettext('Something went wrong. Please try again.')
}
