// Tells the LMS around the page how tall the page is (`lti.frameResize`, a postMessage that
// Canvas, D2L and others listen for), so a fixed-height frame never cuts the page off or
// scrolls inside itself. Sent on every layout change, and only when the height changed.

const SUBJECT = 'lti.frameResize'

export function initFrameResize(): void {
  if (window.parent === window) return // not in a frame: nobody to tell
  let sent = 0
  let scheduled = false
  const send = (): void => {
    scheduled = false
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height)
    if (height === sent) return
    sent = height
    window.parent.postMessage({ subject: SUBJECT, height }, '*')
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    requestAnimationFrame(send)
  }
  new ResizeObserver(schedule).observe(document.documentElement)
  new ResizeObserver(schedule).observe(document.body)
  window.addEventListener('load', schedule)
  schedule()
}
