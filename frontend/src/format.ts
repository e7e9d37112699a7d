// Human-readable formatting for sizes, durations and dates. Missing values render as an em dash.

import { gettext, pageLocale } from './i18n'

const MISSING = '—'
// Translated: French writes octets (o, Ko, Mo, Go, To).
const BYTE_UNITS = [gettext('bytes'), gettext('KB'), gettext('MB'), gettext('GB'), gettext('TB')]

/** 1536 -> "1.5 KB", 5368709120 -> "5 GB" (binary multiples, like Uppy's own messages). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return MISSING
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1
  const number = new Intl.NumberFormat(pageLocale(), { maximumFractionDigits: digits }).format(value)
  return `${number} ${BYTE_UNITS[unit]}`
}

/** 75.4 -> "1:15", 3725 -> "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return MISSING
  const total = Math.round(seconds)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const secs = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`
}

const dateFormat = new Intl.DateTimeFormat(pageLocale(), { dateStyle: 'medium', timeStyle: 'short' })

/** ISO 8601 string -> "24 Nov 2025, 14:03" in the viewer's locale and time zone. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return MISSING
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? MISSING : dateFormat.format(date)
}

/** 1234.5 -> "1,234.5" (English), "1 234,5" (French): in the page's language. */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat(pageLocale()).format(value)
}

/** [".mp4", ".mov"] -> "MP4, MOV" */
export function formatExtensions(extensions: readonly string[]): string {
  return extensions.map((ext) => ext.replace(/^\./, '').toUpperCase()).join(', ')
}
