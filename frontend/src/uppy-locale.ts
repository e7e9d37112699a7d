// Uppy's language pack for the page's language (frontend/src/i18n.ts picks the language).

import ar_SA from '@uppy/locales/lib/ar_SA.js'
import es_ES from '@uppy/locales/lib/es_ES.js'
import fr_FR from '@uppy/locales/lib/fr_FR.js'

import { gettext, pageLocale } from './i18n'

const UPPY_LOCALES = { fr: fr_FR, es: es_ES, ar: ar_SA }

/** The pack for the page's language (undefined: Uppy's English). The packs of @uppy/locales 5
 * still name the Dashboard's drop-zone placeholder %{browse}, which Dashboard 6 calls
 * %{browseFiles}, and some lack the recorders' names: those strings are ours. */
export function uppyLocale(): (typeof UPPY_LOCALES)[keyof typeof UPPY_LOCALES] | undefined {
  const pack = UPPY_LOCALES[pageLocale().split('-')[0].toLowerCase() as keyof typeof UPPY_LOCALES]
  if (!pack) return undefined
  const strings = {
    ...pack.strings,
    dropPasteFiles: gettext('Drop files here or %{browseFiles}'),
    // With the camera and screen recorders installed, the drop zone says this one.
    dropPasteImportFiles: gettext('Drop files here, %{browseFiles} or record with:'),
    browseFiles: gettext('browse files'),
    pluginNameCamera: gettext('Camera'),
    pluginNameScreenCapture: gettext('Screen'),
    startCapturing: gettext('Begin screen capturing'),
    stopCapturing: gettext('Stop screen capturing'),
  }
  return { ...pack, strings }
}
