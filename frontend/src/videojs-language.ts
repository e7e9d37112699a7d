// Video.js's own strings in the page's language (frontend/src/i18n.ts picks the language).

import videojs from 'video.js'
import videojsAr from 'video.js/dist/lang/ar.json'
import videojsEs from 'video.js/dist/lang/es.json'
import videojsFr from 'video.js/dist/lang/fr.json'

import { pageLocale } from './i18n'

const LANGUAGES = { fr: videojsFr, es: videojsEs, ar: videojsAr }

/** The Video.js language for the page, its strings registered first ("en" when none ships). */
export function videojsLanguage(): string {
  const language = pageLocale().split('-')[0].toLowerCase()
  const strings = LANGUAGES[language as keyof typeof LANGUAGES]
  if (!strings) return 'en'
  videojs.addLanguage(language, strings)
  return language
}
