// The teacher's "Versions" control under the player: a student who uploaded again has earlier
// videos, kept until deleted; choosing one plays it. The grade and comments stay with the
// current submission.

import { byId, messageOf, showError } from './dom'
import { formatDate } from './format'
import { gettext, interpolate } from './i18n'
import type { Version } from './teacher-api'

/** "Current version (date)" or "Earlier version (date)": what the select and the note say. */
export function versionLabel(version: Version): string {
  const date = formatDate(version.created_at)
  return version.is_current
    ? interpolate(gettext('Current version (%(date)s)'), { date })
    : interpolate(gettext('Earlier version (%(date)s)'), { date })
}

export class VersionsPicker {
  private readonly block = byId('versions')
  private readonly select = byId<HTMLSelectElement>('version-select')
  private readonly note = byId('version-note')
  private versions: Version[] = []
  private loading = 0

  constructor(
    private readonly load: (submissionId: number) => Promise<Version[]>,
    private readonly play: (version: Version) => Promise<void>,
  ) {
    this.select.addEventListener('change', () => void this.choose(Number(this.select.value)))
  }

  /** Lists the versions of the submission just opened; hidden when it is the only one. */
  async open(submissionId: number): Promise<void> {
    const ticket = ++this.loading
    this.block.hidden = true
    this.versions = []
    try {
      const versions = await this.load(submissionId)
      if (ticket !== this.loading || versions.length < 2) return
      this.versions = versions
      this.select.replaceChildren(
        ...versions.map((version) => new Option(versionLabel(version), String(version.id), false, version.is_current)),
      )
      this.note.textContent = ''
      this.block.hidden = false
    } catch (error) {
      showError(messageOf(error))
    }
  }

  private async choose(id: number): Promise<void> {
    const version = this.versions.find((one) => one.id === id)
    if (!version) return
    try {
      await this.play(version)
      this.note.textContent = version.is_current
        ? ''
        : interpolate(gettext('Playing: %(version)s. The grade and comments are for the current version.'), {
            version: versionLabel(version),
          })
    } catch (error) {
      showError(messageOf(error))
    }
  }
}
