import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { logger } from '@libp2p/logger'
import { RELAY_INFO_PATH } from '@p2p-chat/shared'
import type { RelayInfo } from '@p2p-chat/shared'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

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
  '.map': 'application/json'
}

export interface HttpServerOptions {
  /** directory of the built web app */
  webRoot: string
  /** answers `GET /api/relay` */
  relayInfo: () => RelayInfo
}

function send (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(body)
}

async function sendFile (req: IncomingMessage, res: ServerResponse, path: string, immutable: boolean): Promise<boolean> {
  const info = await stat(path).catch(() => undefined)
  if (info?.isFile() !== true) {
    return false
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
  })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  createReadStream(path).on('error', () => res.destroy()).pipe(res)
  return true
}

/**
 * The relay's HTTP server: the built web app (every `/r/<room>` link gets the app's index.html, which shows
 * its own error page for a malformed link) and `GET /api/relay`.
 */
export function createHttpServer (options: HttpServerOptions): Server {
  const root = normalize(options.webRoot)
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed\n')
      return
    }
    const url = new URL(req.url ?? '/', 'http://relay')
    if (url.pathname === RELAY_INFO_PATH) {
      send(res, 200, JSON.stringify(options.relayInfo()), 'application/json')
      return
    }
    const path = normalize(join(root, decodeURIComponent(url.pathname)))
    if (path !== root && !path.startsWith(root + sep)) {
      send(res, 400, 'Bad path\n')
      return
    }
    if (url.pathname !== '/' && await sendFile(req, res, path, url.pathname.startsWith('/assets/'))) {
      return
    }
    // the app itself: home, rooms, and its own error page for links that name nothing
    if (!await sendFile(req, res, join(root, 'index.html'), false)) {
      send(res, 503, `The web app is not built: no index.html in ${root}. Run the README's start command.\n`)
    }
  }
  return createServer((req, res) => {
    handle(req, res).catch(err => {
      log.error('request %s failed: %e', req.url, err)
      if (!res.headersSent) {
        send(res, 400, 'Bad request\n')
      } else {
        res.destroy()
      }
    })
  })
}
