/** How long {@link waitFor} waits unless told. */
export const DEFAULT_WAIT_FOR_TIMEOUT_MS = 10_000

/** How often {@link waitFor} asks again. */
export const DEFAULT_WAIT_FOR_INTERVAL_MS = 20

/** Thrown by {@link waitFor} when what it waits for has not come in time. */
export class WaitForTimeoutError extends Error {
  static override name = 'WaitForTimeoutError'
  override name = 'WaitForTimeoutError'
}

/**
 * Polls `check` until it returns a value other than `undefined`, `null` or `false`, and resolves to that value;
 * rejects with a {@link WaitForTimeoutError} naming `what` after `timeout` ms. For tests: a condition that comes
 * true a moment later, never a fixed sleep.
 *
 * @example
 *
 * ```ts
 * await waitFor(() => node.getConnections().length > 0)
 * const addr = await waitFor(() => node.getMultiaddrs().find(isWebRTCAddr), 5_000, 'a WebRTC address')
 * ```
 */
export async function waitFor<T> (
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeout = DEFAULT_WAIT_FOR_TIMEOUT_MS,
  what = 'the condition'
): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== null && value !== false) {
      return value
    }
    if (Date.now() > deadline) {
      throw new WaitForTimeoutError(`timed out after ${timeout} ms waiting for ${what}`)
    }
    await new Promise(resolve => setTimeout(resolve, DEFAULT_WAIT_FOR_INTERVAL_MS))
  }
}
