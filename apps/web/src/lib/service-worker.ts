import { logger } from '@libp2p/logger'

const log = logger('p2p-chat:service-worker')

/** Where the build puts the service worker (vite-plugin-pwa's Workbox `sw.js`); its scope is the whole app. */
const SERVICE_WORKER = '/sw.js'

/**
 * Installs the app's service worker, which precaches the app shell so the app opens offline with its history.
 * Called once the room is on screen, not as the page loads: installing it fetches, caches and compiles every
 * script and style of the app, which on a first visit kept a second core busy from ~0.4 s to ~1.35 s after the
 * app started (a trace of a newcomer's join on the 2-core benchmark machine), all the while the page was starting
 * its node and reaching its relay. Nothing in a development server (it has no `sw.js`).
 */
export function registerServiceWorker (): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) {
    return
  }
  navigator.serviceWorker.register(SERVICE_WORKER, { scope: '/' }).catch((err: Error) => {
    log.error('the service worker could not be installed: %s', err.message)
  })
}
