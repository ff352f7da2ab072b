/** How a line shows its time of day (the browser's locale decides 14:05 or 02:05 PM). */
const TIME_OF_DAY: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }
/** The formatter is made once the page is idle, or after this long at the latest. */
const FORMAT_WAIT_MS = 500

/** the one formatter, once made (state: the times shown before it fill in when it is) */
let timeOfDayFormat = $state.raw<Intl.DateTimeFormat>()
let making = false

/**
 * A time of day as lines show it, by one formatter (`toLocaleTimeString` makes one per call); empty until that
 * formatter is made, once the page is idle after first showing a line. The page's first `Intl` object loads ICU's
 * data for the locale: 30–65 ms of the main thread on the benchmark machine (CPU profiles of a newcomer's join),
 * which the room's first lines would otherwise wait for. Their times fill in a moment later.
 */
export function timeOfDay (ms: number): string {
  if (timeOfDayFormat == null) {
    makeFormat()
    return ''
  }
  return timeOfDayFormat.format(ms)
}

function makeFormat (): void {
  if (making) {
    return
  }
  making = true
  const make = (): void => { timeOfDayFormat = new Intl.DateTimeFormat([], TIME_OF_DAY) }
  if (typeof requestIdleCallback === 'function') {
    requestIdleCallback(make, { timeout: FORMAT_WAIT_MS })
  } else {
    setTimeout(make, 0)
  }
}
