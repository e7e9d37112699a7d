// Teacher page: the assignment's rubric in the grade form, one radio group per criterion.
// Choosing a level in every criterion gives the total, which fills the score.

import { h } from './dom'
import { interpolate, ngettext } from './i18n'
import type { RubricCriterion } from './launch'

export class RubricInput {
  constructor(
    private readonly container: HTMLElement,
    private readonly rubric: RubricCriterion[],
    private readonly onTotal: (total: number) => void,
  ) {
    container.hidden = rubric.length === 0
    container.replaceChildren(...rubric.map((criterion, index) => this.group(criterion, index)))
  }

  private group(criterion: RubricCriterion, index: number): HTMLFieldSetElement {
    const options = criterion.levels.map((level, levelIndex) => {
      const id = `rubric-${index}-${levelIndex}`
      const input = h('input', { type: 'radio', id, name: `rubric-${index}`, value: String(levelIndex) })
      input.addEventListener('change', () => {
        const total = this.total()
        if (total !== null) this.onTotal(total)
      })
      const points = interpolate(ngettext('%(points)s point', '%(points)s points', level.points), { points: level.points })
      return h('div', { class: 'rubric-level' }, input, h('label', { for: id }, h('strong', {}, points), ` ${level.description}`))
    })
    return h('fieldset', { class: 'rubric-criterion' }, h('legend', {}, criterion.title), ...options)
  }

  /** The chosen level per criterion (null where none is chosen yet). */
  choices(): (number | null)[] {
    return this.rubric.map((_, index) => {
      const checked = this.container.querySelector<HTMLInputElement>(`input[name="rubric-${index}"]:checked`)
      return checked ? Number(checked.value) : null
    })
  }

  /** The chosen levels when every criterion has one, else null (the score stands alone). */
  levels(): number[] | null {
    const choices = this.choices()
    return this.rubric.length > 0 && choices.every((c) => c !== null) ? (choices as number[]) : null
  }

  total(): number | null {
    const levels = this.levels()
    if (!levels) return null
    return levels.reduce((sum, level, index) => sum + (this.rubric[index]?.levels[level]?.points ?? 0), 0)
  }

  set(levels: number[]): void {
    this.setChoices(levels.length === this.rubric.length ? levels : this.rubric.map(() => null))
  }

  setChoices(choices: (number | null)[]): void {
    this.rubric.forEach((_, index) => {
      for (const input of this.container.querySelectorAll<HTMLInputElement>(`input[name="rubric-${index}"]`)) {
        input.checked = choices[index] !== null && input.value === String(choices[index])
      }
    })
  }

  setDisabled(disabled: boolean): void {
    for (const input of this.container.querySelectorAll<HTMLInputElement>('input')) input.disabled = disabled
  }
}
