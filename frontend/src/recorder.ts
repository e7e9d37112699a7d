// Recording in the browser: Uppy's Webcam (camera + microphone) and ScreenCapture (screen +
// microphone) plugins, shown as Dashboard tabs when the assignment allows them. A recording
// becomes an ordinary file of the Dashboard, so it goes through the same upload path
// (ticket, tus or S3, confirm) as a chosen file.
//
// What Uppy does not do is added here, around its plugins: a 3-2-1 countdown before the
// recording starts, one visible timer that stops the recording at the assignment's maximum
// length, and a sentence a student understands when there is no camera or it is blocked.

import type Uppy from '@uppy/core'
import type { Body, Meta } from '@uppy/core'
import ScreenCapture from '@uppy/screen-capture'
import Webcam from '@uppy/webcam'
import '@uppy/webcam/css/style.min.css'
import '@uppy/screen-capture/css/style.min.css'

import { formatDuration } from './format'
import { gettext, interpolate } from './i18n'

export type VideoSource = 'upload' | 'camera' | 'screen'

export interface RecorderOptions {
  sources: readonly VideoSource[]
  /** The assignment's maximum length; null: no limit. */
  maxDurationSeconds: number | null
  /** Where the countdown and the timer are shown (one line, outside Uppy's panels). */
  timer: HTMLElement
  onError(message: string): void
}

const COUNTDOWN_SECONDS = 3

export const CAMERA_BLOCKED_MESSAGE = () =>
  gettext('Your camera is blocked in this browser: allow it in the address bar, or upload a file instead.')
export const NO_CAMERA_MESSAGE = () =>
  gettext('No camera was found on this device. Connect one and try again, or upload a file instead.')
export const SCREEN_REFUSED_MESSAGE = () =>
  gettext('Screen recording was not allowed. Press Begin screen capturing to choose a screen again, or upload a file instead.')

/** The plugin surface used here (both plugins bind these methods to themselves). */
interface RecordingPlugin {
  startRecording(): void
  stopRecording(): Promise<void>
  getPluginState(): Record<string, unknown>
}

export function installRecorders<M extends Meta, B extends Body>(uppy: Uppy<M, B>, options: RecorderOptions): void {
  if (options.sources.includes('camera')) {
    uppy.use(Webcam, {
      id: 'Webcam',
      modes: ['video-audio'],
      mirror: true,
      showRecordingLength: false, // our own timer (below) is the one shown
      showVideoSourceDropdown: true,
    })
  }
  if (options.sources.includes('screen')) {
    uppy.use(ScreenCapture, {
      id: 'ScreenCapture',
      enableScreenshots: false,
      // A tab, a window or the whole screen: the student picks; 1280x720 is plenty.
      displayMediaConstraints: { video: { width: 1280, height: 720, frameRate: { ideal: 15, max: 30 } } },
      userMediaConstraints: { audio: true },
    })
  }
  const timer = new RecordingTimer(options)
  for (const id of ['Webcam', 'ScreenCapture']) {
    const plugin = uppy.getPlugin(id) as unknown as RecordingPlugin | undefined
    if (plugin) timer.attach(plugin, id === 'Webcam' ? 'isRecording' : 'recording')
  }
  watchCameraErrors(uppy, options.onError)
}

/** Counts down before a recording starts, then shows its length, and stops it at the limit. */
class RecordingTimer {
  private interval: number | undefined
  private readonly element: HTMLElement

  constructor(private readonly options: RecorderOptions) {
    this.element = options.timer
  }

  attach(plugin: RecordingPlugin, recordingFlag: string): void {
    const start = plugin.startRecording
    plugin.startRecording = () => {
      void this.countdown().then(() => {
        start()
        this.run(plugin, recordingFlag)
      })
    }
    const stop = plugin.stopRecording
    plugin.stopRecording = () => {
      this.clear()
      return stop()
    }
  }

  private countdown(): Promise<void> {
    return new Promise((resolve) => {
      let left = COUNTDOWN_SECONDS
      const tick = () => {
        if (left === 0) {
          resolve()
          return
        }
        this.show(interpolate(gettext('Recording starts in %(seconds)s…'), { seconds: left }))
        left -= 1
        window.setTimeout(tick, 1000)
      }
      tick()
    })
  }

  private run(plugin: RecordingPlugin, recordingFlag: string): void {
    const limit = this.options.maxDurationSeconds
    const startedAt = Date.now()
    this.clear()
    const update = () => {
      const elapsed = Math.floor((Date.now() - startedAt) / 1000)
      if (limit && elapsed >= limit) {
        this.clear()
        void plugin.stopRecording()
        this.show(
          interpolate(gettext('Recording stopped at the %(limit)s limit. Watch it, then submit it or record again.'), {
            limit: formatDuration(limit),
          }),
        )
        return
      }
      const text = limit
        ? interpolate(gettext('Recording %(elapsed)s of %(limit)s'), {
            elapsed: formatDuration(elapsed),
            limit: formatDuration(limit),
          })
        : interpolate(gettext('Recording %(elapsed)s'), { elapsed: formatDuration(elapsed) })
      this.show(text)
      // The plugin may have stopped by itself (stream ended, size limit).
      if (elapsed > 1 && plugin.getPluginState()[recordingFlag] === false) this.clear()
    }
    update()
    this.interval = window.setInterval(update, 250)
  }

  private show(text: string): void {
    this.element.hidden = false
    this.element.textContent = text
  }

  private clear(): void {
    window.clearInterval(this.interval)
    this.interval = undefined
    this.element.hidden = true
    this.element.textContent = ''
  }
}

/** The camera's or screen's refusal, said once in the page's own alert. */
function watchCameraErrors<M extends Meta, B extends Body>(uppy: Uppy<M, B>, onError: (message: string) => void): void {
  let said: unknown = null
  uppy.on('state-update', () => {
    const camera = uppy.getPlugin('Webcam')?.getPluginState() as { cameraError?: Error | null } | undefined
    const screen = uppy.getPlugin('ScreenCapture')?.getPluginState() as { screenRecError?: Error | null } | undefined
    const problem = camera?.cameraError ?? screen?.screenRecError ?? null
    if (!problem || problem === said) return
    said = problem
    onError(problem === camera?.cameraError ? cameraMessage(problem) : SCREEN_REFUSED_MESSAGE())
  })
}

/** NotAllowedError: the student or the browser refused; NotFoundError and others: no camera. */
function cameraMessage(problem: Error): string {
  if (problem.name === 'NotAllowedError' || problem.name === 'SecurityError') return CAMERA_BLOCKED_MESSAGE()
  return NO_CAMERA_MESSAGE()
}
