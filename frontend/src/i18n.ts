// Translation of the front end's own strings. Every sentence a person reads goes through
// gettext()/ngettext() here, so the catalog the server renders into the page (a JSON map of
// msgid -> translation in #i18n-catalog, when present) can replace it. Without a catalog the
// English msgid is shown as is.

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

/** English plural rule without a catalog; the catalog's forms are indexed by the same rule. */
export function ngettext(singular: string, plural: string, count: number): string {
  const translation = loadCatalog()[singular]
  const index = count === 1 ? 0 : 1
  if (Array.isArray(translation) && translation[index]) return translation[index]
  return count === 1 ? singular : plural
}

/** interpolate('%(size)s left', { size: '2 MB' }) -> '2 MB left' (Django's named format). */
export function interpolate(format: string, values: Record<string, string | number>): string {
  return format.replace(/%\((\w+)\)s/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  )
}
