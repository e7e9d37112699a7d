// Shows one playback in a container: a Video.js player for MP4 and HLS, or the provider's
// iframe for Cloudflare Stream. Only one player exists per page; showing another disposes it.

import videojs from 'video.js'
import 'video.js/dist/video-js.css'

import type { Playback } from './api'
import { h } from './dom'
import { gettext } from './i18n'
import { videojsLanguage } from './videojs-language'

type Player = ReturnType<typeof videojs>

const SOURCE_TYPES = { mp4: 'video/mp4', hls: 'application/x-mpegURL' } as const

let player: Player | null = null

/** Replaces the container's content with a player for `playback`; `title` names it for screen readers. */
export function showPlayback(container: HTMLElement, playback: Playback, title: string): void {
  clearPlayer(container)
  if (playback.kind === 'cloudflare-iframe') {
    container.append(
      h('iframe', {
        id: 'player',
        class: 'player-frame',
        src: playback.url,
        title,
        allow: 'accelerometer; gyroscope; autoplay; encrypted-media; picture-in-picture; fullscreen',
        allowfullscreen: true,
      }),
    )
    return
  }
  const type = SOURCE_TYPES[playback.kind]
  if (!type) throw new Error(gettext('This video is in a format the player does not support.'))
  // Video.js wraps this element: afterwards #player is its wrapper <div class="video-js"> and
  // the <video> itself is #player_html5_api.
  const video = h('video', {
    id: 'player',
    class: 'video-js vjs-big-play-centered',
    controls: true,
    playsinline: true,
    preload: 'metadata',
    'aria-label': title,
  })
  container.append(video)
  player = videojs(video, { fluid: true, language: videojsLanguage() })
  player.src({ src: playback.url, type })
}

export function clearPlayer(container: HTMLElement): void {
  player?.dispose()
  player = null
  container.replaceChildren()
}

// --- What the time-stamped comments need of the player (Video.js only: the Cloudflare iframe
// offers no time or seeking to the page, so comments there are listed without markers).

/** The playing position in seconds, or null without a Video.js player. */
export function playerTime(): number | null {
  return player ? (player.currentTime() ?? 0) : null
}

export function pausePlayer(): void {
  player?.pause()
}

/** Seeks to `seconds` and keeps playing (or stays paused) as it was. */
export function seekTo(seconds: number): void {
  player?.currentTime(seconds)
}

/** The player's progress bar element and the video's length, once the length is known. */
export function onProgressBar(callback: (bar: HTMLElement, duration: number) => void): void {
  const current = player
  if (!current) return
  const ready = (): void => {
    const duration = current.duration()
    const bar = current.el().querySelector<HTMLElement>('.vjs-progress-holder')
    if (bar && duration && Number.isFinite(duration)) callback(bar, duration)
  }
  if ((current.readyState() ?? 0) >= 1) ready()
  else current.one('loadedmetadata', ready)
}
