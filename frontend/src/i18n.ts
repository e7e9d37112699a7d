// Translation of the front end's own strings. Every sentence a person reads goes through
// gettext()/ngettext() here, so the catalog the server renders into the page (a JSON map of
// msgid -> translation in #i18n-catalog, when present) can replace it. Without a catalog the
// English msgid is shown as is.
//
// The page's language is <html lang> (the server picks it from the launch, then the browser):
// numbers and dates are formatted for it, and Uppy and Video.js get their own language packs
// (uppy-locale.ts, videojs-language.ts: only the pages that use them load them).
// The strings are extracted by `manage.py translations` (xgettext over frontend/src/*.ts).

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

/** interpolate('%(size)s left', { size: '2 MB' }) -> '2 MB left' (Django's named format). */
export function interpolate(format: string, values: Record<string, string | number>): string {
  return format.replace(/%\((\w+)\)s/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  )
}
