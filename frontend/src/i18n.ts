// Translation of the front end's own strings. Every sentence a person reads goes through
// gettext()/ngettext() here, so the catalog the server renders into the page (a JSON map of
// msgid -> translation in #i18n-catalog, when present) can replace it. Without a catalog the
// English msgid is shown as is.
//
// The page's language is <html lang> (the server picks it from the launch, then the browser):
// numbers and dates are formatted for it, and Uppy and Video.js get their own language packs.
// The strings are extracted by `manage.py translations` (xgettext over frontend/src/*.ts).

import ar_SA from '@uppy/locales/lib/ar_SA.js'
import es_ES from '@uppy/locales/lib/es_ES.js'
import fr_FR from '@uppy/locales/lib/fr_FR.js'
import videojs from 'video.js'
import videojsAr from 'video.js/dist/lang/ar.json'
import videojsEs from 'video.js/dist/lang/es.json'
import videojsFr from 'video.js/dist/lang/fr.json'

type Catalog = Record<string, string | string[]>

let catalog: Catalog | null = null

function loadCatalog(): Catalog {
  if (catalog === null) {
    const script = typeof document === 'undefined' ? null : document.getElementById('i18n-catalog')
    catalog = script?.textContent ? (JSON.parse(script.textContent) as Catalog) : {}
  }
  return catalog
}

export function gettext(msgid: string): string {
  const translation = loadCatalog()[msgid]
  if (typeof translation === 'string' && translation) return translation
  if (Array.isArray(translation) && translation[0]) return translation[0]
  return msgid
}

/** The page's language, e.g. "fr" ("en" when the page does not say). */
export function pageLocale(): string {
  return (typeof document === 'undefined' ? '' : document.documentElement.lang) || 'en'
}

/** The catalog's plural forms are [one, other] (English, French, Spanish): Intl's rule of the
 * page's language picks one (French: 0 and 1 are singular). */
export function ngettext(singular: string, plural: string, count: number): string {
  const translation = loadCatalog()[singular]
  const one = new Intl.PluralRules(pageLocale()).select(count) === 'one'
  if (Array.isArray(translation) && translation[one ? 0 : 1]) return translation[one ? 0 : 1]
  return count === 1 ? singular : plural
}

const UPPY_LOCALES = { fr: fr_FR, es: es_ES, ar: ar_SA }
const VIDEOJS_LANGUAGES = { fr: videojsFr, es: videojsEs, ar: videojsAr }

function baseLanguage(): string {
  return pageLocale().split('-')[0].toLowerCase()
}

/** Uppy's language pack for the page's language (undefined: Uppy's English). The packs of
 * @uppy/locales 5 still name the Dashboard's drop-zone placeholder %{browse}, which Dashboard 6
 * calls %{browseFiles}: those two strings are ours. */
export function uppyLocale(): (typeof UPPY_LOCALES)[keyof typeof UPPY_LOCALES] | undefined {
  const pack = UPPY_LOCALES[baseLanguage() as keyof typeof UPPY_LOCALES]
  if (!pack) return undefined
  const strings = {
    ...pack.strings,
    dropPasteFiles: gettext('Drop files here or %{browseFiles}'),
    browseFiles: gettext('browse files'),
  }
  return { ...pack, strings }
}

/** The Video.js language for the page, its strings registered first ("en" when none ships). */
export function videojsLanguage(): string {
  const language = baseLanguage()
  const strings = VIDEOJS_LANGUAGES[language as keyof typeof VIDEOJS_LANGUAGES]
  if (!strings) return 'en'
  videojs.addLanguage(language, strings)
  return language
}

/** interpolate('%(size)s left', { size: '2 MB' }) -> '2 MB left' (Django's named format). */
export function interpolate(format: string, values: Record<string, string | number>): string {
  return format.replace(/%\((\w+)\)s/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  )
}
