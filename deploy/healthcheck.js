// The container's (or any supervisor's) health check: GET /healthz on the relay's own HTTP port, on loopback.
// Exits 0 when the relay answers 200 ({"status":"ok"}), 1 otherwise (not running, starting, shutting down).
// It reads the relay's environment: P2P_CHAT_HTTP_PORT (default 8080) and, when P2P_CHAT_TLS_CERT is set, speaks
// HTTPS (without checking the certificate, which names the public host, not 127.0.0.1: this only asks the
// relay on this machine whether it runs).
import { get as httpGet } from 'node:http'
import { get as httpsGet } from 'node:https'

const port = Number(process.env.P2P_CHAT_HTTP_PORT || 8080)
const tls = (process.env.P2P_CHAT_TLS_CERT ?? '') !== ''
const get = tls ? httpsGet : httpGet
const request = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000, rejectUnauthorized: false }, res => {
  res.resume()
  process.exit(res.statusCode === 200 ? 0 : 1)
})
request.on('timeout', () => { request.destroy(new Error('timed out')) })
request.on('error', err => {
  console.error(`healthcheck: ${err.message}`)
  process.exit(1)
})
