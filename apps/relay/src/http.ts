import { statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { isIPv4, isIPv6 } from 'node:net'
import { join, resolve } from 'node:path'
import { logger } from '@libp2p/logger'
import { formatRoomPreview, parseRoute, RELAY_INFO_ELEMENT_ID, RELAY_INFO_PATH, ROOM_PREVIEW_ELEMENT_ID } from '@p2p-chat/shared'
import sirv from 'sirv'
import { roomPreviewHtml } from './preview-page.js'
import type { RelayInfo, RoomPreview } from '@p2p-chat/shared'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { Options as SirvOptions } from 'sirv'

const log = logger('p2p-chat:relay:http')

/** Content-hashed build output: cached for a year. Everything else is revalidated (by its ETag) on every use. */
const IMMUTABLE_PREFIX = '/assets/'
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable'

/** What `GET /healthz` answers: 200 while the relay runs, 503 while it starts and once it is shutting down. */
export interface RelayHealth {
  status: 'starting' | 'ok' | 'stopping'
  /** seconds since the relay started */
  uptime: number
  /** libp2p connections open */
  connections: number
}

export interface HttpServerOptions {
  /** directory of the built web app */
  webRoot: string
  /** answers `GET /api/relay`; `host` is the request's validated Host (see {@link requestHost}), if any */
  relayInfo: (host?: string) => RelayInfo
  /**
   * a public room's preview (its newest lines, see `previewLines`) for the page served at the room's link;
   * `undefined`, or no option, for none
   */
  roomPreview?: (roomId: string) => Promise<RoomPreview | undefined>
  /** answers `GET /healthz` (absent: not served) */
  health?: () => RelayHealth
  /** PEM certificate and key: the server speaks HTTPS */
  tls?: { cert: string | Buffer, key: string | Buffer }
}

/** One DNS label: letters, digits and inner hyphens, 63 characters at most. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * The host name of a request's `Host` header (`chat.example.org:8080` → `chat.example.org`), as a URL writes
 * it (an IPv6 address in brackets), if it is an IP address or a DNS name; undefined for anything else, such
 * as a header a client made up.
 */
export function requestHost (header: string | undefined): string | undefined {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(:\d{1,5})?$/.exec(header ?? '')
  const name = match?.[1]?.toLowerCase().replace(/\.$/, '')
  if (name == null || name === '') {
    return undefined
  }
  if (name.startsWith('[')) {
    // no zone (`%eth0`): it means nothing to another machine
    return isIPv6(name.slice(1, -1)) && !name.includes('%') ? name : undefined
  }
  if (isIPv4(name)) {
    return name
  }
  const labels = name.split('.')
  const numeric = /^\d+$/.test(labels.at(-1)!)
  return name.length <= 253 && !numeric && labels.every(label => DNS_LABEL.test(label)) ? name : undefined
}

export const HEALTH_PATH = '/healthz'
export const METRICS_PATH = '/metrics'

function send (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(body)
}

function fail (req: IncomingMessage, res: ServerResponse, err: unknown): void {
  log.error('request %s failed: %e', req.url, err)
  if (!res.headersSent) {
    send(res, 400, 'Bad request\n')
  } else {
    res.destroy()
  }
}

function sendHealth (res: ServerResponse, health: RelayHealth): void {
  send(res, health.status === 'ok' ? 200 : 503, JSON.stringify(health), 'application/json')
}

const SIRV_OPTIONS: SirvOptions = {
  etag: true,
  brotli: true,
  gzip: true,
  // `/foo` is `/foo`: no `.html` guessed, no directory index (the app itself is served by sendApp)
  extensions: [],
  setHeaders: (res, pathname) => {
    res.setHeader('cache-control', pathname.startsWith(IMMUTABLE_PREFIX) ? IMMUTABLE_CACHE : 'no-cache')
    if (pathname.endsWith('.md')) {
      // the self-hosting guide the app ships: shown as text, not downloaded
      res.setHeader('content-type', 'text/plain; charset=utf-8')
    }
  }
}

type FileHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

/**
 * The web app's files, served by `sirv` from the list it makes of `root` when created: the `.br`/`.gz` twins the
 * build wrote beside each file (vite-plugin-compression2) go to clients that accept them, so nothing is compressed
 * per request; ETags answer revalidation with 304; nothing outside `root` is in the list, so no path escapes it.
 * The list is made again when `index.html` changes (the app was rebuilt under a running relay: files it lists
 * may be gone); without a built app, every file is a miss.
 */
function webFiles (root: string): FileHandler {
  const index = join(root, 'index.html')
  let built: number | undefined
  let files: FileHandler | undefined
  return (req, res, next) => {
    const mtime = statSync(index, { throwIfNoEntry: false })?.mtimeMs
    if (mtime !== built) {
      built = mtime
      files = mtime == null ? undefined : sirv(root, SIRV_OPTIONS)
    }
    if (files == null) {
      next()
    } else {
      files(req, res, next)
    }
  }
}

/** JSON inside a script element: `<` escaped, so no `</script>` can end it early. */
function jsonScript (id: string, json: string): string {
  return `<script type="application/json" id="${id}">${json.replaceAll('<', '\\u003c')}</script>`
}

/** Where in the app's index.html the preview's HTML goes: just before the element the app mounts into. */
const APP_ELEMENT = '<div id="app">'

/**
 * The app's index.html with the relay info (`/api/relay`'s answer for this request) inside it, so the page dials
 * the relay without asking first, and for a room's link the room's preview, if any: as signed lines the app
 * verifies and shows before it has reached anyone, and as HTML the browser draws before any script has run
 * ({@link roomPreviewHtml}). A small page: sent as it is, not cached (it depends on the request).
 */
async function sendApp (req: IncomingMessage, res: ServerResponse, path: string, info: RelayInfo, preview?: RoomPreview): Promise<boolean> {
  let html = await readFile(path, 'utf8').catch(() => undefined)
  if (html == null) {
    return false
  }
  const scripts = jsonScript(RELAY_INFO_ELEMENT_ID, JSON.stringify(info)) + (preview == null ? '' : jsonScript(ROOM_PREVIEW_ELEMENT_ID, formatRoomPreview(preview.roomId, preview.lines)))
  html = html.includes('</head>') ? html.replace('</head>', () => `${scripts}</head>`) : `${html}${scripts}`
  if (preview != null) {
    // a function, not a string: a `$` in a line's text must not be read as a replacement pattern
    html = html.replace(APP_ELEMENT, () => `${roomPreviewHtml(preview)}${APP_ELEMENT}`)
  }
  const body = Buffer.from(html)
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-length': body.byteLength })
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}

/**
 * The relay's public HTTP (or, given `tls`, HTTPS) server: the built web app (every `/r/<room>` link gets the
 * app's index.html, which shows its own error page for a malformed link), `GET /api/relay` and `GET /healthz`.
 * `/metrics` is on the admin server ({@link createAdminServer}) only.
 */
export function createHttpServer (options: HttpServerOptions): Server | HttpsServer {
  const root = resolve(options.webRoot)
  const files = webFiles(root)
  const sendIndex = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const route = parseRoute(pathname)
    const preview = route.page === 'room' ? await options.roomPreview?.(route.roomId) : undefined
    if (!await sendApp(req, res, join(root, 'index.html'), options.relayInfo(requestHost(req.headers.host)), preview)) {
      send(res, 503, `The web app is not built: no index.html in ${root}. Run the README's start command.\n`)
    }
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed\n')
      return
    }
    const url = new URL(req.url ?? '/', 'http://relay')
    if (url.pathname === RELAY_INFO_PATH) {
      send(res, 200, JSON.stringify(options.relayInfo(requestHost(req.headers.host))), 'application/json')
      return
    }
    if (url.pathname === HEALTH_PATH && options.health != null) {
      sendHealth(res, options.health())
      return
    }
    if (url.pathname === METRICS_PATH) {
      // not the web app's page either: a scraper pointed here should fail loudly
      send(res, 404, 'Not found: /metrics is served on the admin port (--metrics-port)\n')
      return
    }
    // a file of the app, else the app itself: home, rooms, and its own error page for links that name nothing
    files(req, res, () => {
      sendIndex(req, res, url.pathname).catch(err => { fail(req, res, err) })
    })
  }
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(err => { fail(req, res, err) })
  }
  return options.tls == null ? createServer(listener) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
}

export interface AdminServerOptions {
  /** answers `GET /healthz` */
  health: () => RelayHealth
  /** answers `GET /metrics`: Prometheus text */
  metrics: () => Promise<{ contentType: string, body: string }>
}

/**
 * The relay's admin HTTP server, for the operator's Prometheus and supervisor (bound to loopback by default,
 * `--metrics-host`/`--metrics-port`): `GET /metrics` and `GET /healthz`; anything else is 404.
 */
export function createAdminServer (options: AdminServerOptions): Server {
  return createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://relay')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed\n')
    } else if (pathname === HEALTH_PATH) {
      sendHealth(res, options.health())
    } else if (pathname === METRICS_PATH) {
      options.metrics().then(({ contentType, body }) => { send(res, 200, body, contentType) }, (err: Error) => {
        log.error('metrics failed: %e', err)
        send(res, 500, 'Metrics failed\n')
      })
    } else {
      send(res, 404, 'Not found: this port serves /metrics and /healthz\n')
    }
  })
}
