/** How a line shows its time of day (the browser's locale decides 14:05 or 02:05 PM). */
const TIME_OF_DAY: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }

let timeOfDayFormat: Intl.DateTimeFormat | undefined

/**
 * A time of day as lines show it, by one formatter made on first use (`toLocaleTimeString` makes one per call).
 * Not before: the first `Intl` object a page makes loads ICU's data for the locale, 50–70 ms of the main thread on
 * the benchmark machine, which the message log paid as it was first drawn, before the relay was even dialled (a
 * CPU profile of a newcomer's join). Loading it sooner elsewhere (a worker, an idle callback) made joins slower.
 */
export function timeOfDay (ms: number): string {
  timeOfDayFormat ??= new Intl.DateTimeFormat([], TIME_OF_DAY)
  return timeOfDayFormat.format(ms)
}
