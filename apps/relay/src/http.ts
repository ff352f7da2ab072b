import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { isIPv4, isIPv6 } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib'
import { logger } from '@libp2p/logger'
import { RELAY_INFO_ELEMENT_ID, RELAY_INFO_PATH } from '@p2p-chat/shared'
import type { RelayInfo } from '@p2p-chat/shared'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'

const log = logger('p2p-chat:relay:http')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  // the self-hosting guide the app ships: shown as text, not downloaded
  '.md': 'text/plain; charset=utf-8'
}

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.map', '.wasm', '.md'])
/** Most compressed files kept in memory (the web app is a handful of files). */
const MAX_CACHED_BODIES = 64

type Encoding = 'br' | 'gzip'

const compressors: Record<Encoding, (data: Buffer) => Promise<Buffer>> = {
  br: async data => promisify(brotliCompress)(data, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }),
  gzip: async data => promisify(gzip)(data, { level: 9 })
}

function preferredEncoding (req: IncomingMessage): Encoding | undefined {
  const accepted = String(req.headers['accept-encoding'] ?? '')
  if (/\bbr\b/.test(accepted)) return 'br'
  if (/\bgzip\b/.test(accepted)) return 'gzip'
  return undefined
}

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

function sendHealth (res: ServerResponse, health: RelayHealth): void {
  send(res, health.status === 'ok' ? 200 : 503, JSON.stringify(health), 'application/json')
}

/** Compressed bodies of the web app's files, by encoding, modification time and path. */
type CompressedCache = Map<string, Promise<Buffer>>

async function compressedBody (compressed: CompressedCache, path: string, mtime: number, encoding: Encoding): Promise<Buffer> {
  const key = `${encoding}:${mtime}:${path}`
  let body = compressed.get(key)
  if (body == null) {
    if (compressed.size >= MAX_CACHED_BODIES) {
      compressed.delete(compressed.keys().next().value!)
    }
    body = readFile(path).then(compressors[encoding])
    body.catch(() => compressed.delete(key))
    compressed.set(key, body)
  }
  return body
}

async function sendFile (compressed: CompressedCache, req: IncomingMessage, res: ServerResponse, path: string, immutable: boolean): Promise<boolean> {
  const info = await stat(path).catch(() => undefined)
  if (info?.isFile() !== true) {
    return false
  }
  const headers: Record<string, string | number> = {
    'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding'
  }
  const encoding = COMPRESSIBLE.has(extname(path)) ? preferredEncoding(req) : undefined
  if (encoding != null) {
    const body = await compressedBody(compressed, path, info.mtimeMs, encoding)
    res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': body.byteLength })
    res.end(req.method === 'HEAD' ? undefined : body)
    return true
  }
  res.writeHead(200, { ...headers, 'content-length': info.size })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  createReadStream(path).on('error', () => res.destroy()).pipe(res)
  return true
}

/**
 * The app's index.html with the relay info (`/api/relay`'s answer for this request) inside it, so the page dials
 * the relay without asking first. A small page: sent as it is, not cached (the info depends on the request).
 */
async function sendApp (req: IncomingMessage, res: ServerResponse, path: string, info: RelayInfo): Promise<boolean> {
  const html = await readFile(path, 'utf8').catch(() => undefined)
  if (html == null) {
    return false
  }
  // JSON inside a script element: `<` escaped, so no `</script>` can end it early
  const script = `<script type="application/json" id="${RELAY_INFO_ELEMENT_ID}">${JSON.stringify(info).replaceAll('<', '\\u003c')}</script>`
  const body = Buffer.from(html.includes('</head>') ? html.replace('</head>', `${script}</head>`) : `${html}${script}`)
  res.writeHead(200, { 'content-type': CONTENT_TYPES['.html']!, 'cache-control': 'no-cache', 'content-length': body.byteLength })
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}

/**
 * The relay's public HTTP (or, given `tls`, HTTPS) server: the built web app (every `/r/<room>` link gets the
 * app's index.html, which shows its own error page for a malformed link), `GET /api/relay` and `GET /healthz`.
 * `/metrics` is on the admin server ({@link createAdminServer}) only.
 */
export function createHttpServer (options: HttpServerOptions): Server | HttpsServer {
  const root = normalize(options.webRoot)
  const compressed: CompressedCache = new Map()
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
    const path = normalize(join(root, decodeURIComponent(url.pathname)))
    if (path !== root && !path.startsWith(root + sep)) {
      send(res, 400, 'Bad path\n')
      return
    }
    if (url.pathname !== '/' && await sendFile(compressed, req, res, path, url.pathname.startsWith('/assets/'))) {
      return
    }
    // the app itself: home, rooms, and its own error page for links that name nothing
    if (!await sendApp(req, res, join(root, 'index.html'), options.relayInfo(requestHost(req.headers.host)))) {
      send(res, 503, `The web app is not built: no index.html in ${root}. Run the README's start command.\n`)
    }
  }
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(err => {
      log.error('request %s failed: %e', req.url, err)
      if (!res.headersSent) {
        send(res, 400, 'Bad request\n')
      } else {
        res.destroy()
      }
    })
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
