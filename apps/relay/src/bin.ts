#!/usr/bin/env node
// the relay's command line: its console output is for people (--log-format text) or log collectors (json)
import { Buffer } from 'node:buffer'
import { ConfigError, USAGE, createRelay, createRelayLogger, parseConfig } from './index.js'

// Small buffers get an ArrayBuffer each, not a slice of a shared 8 KiB slab: a peer id or an address the relay
// keeps for as long as a peer stays connected kept its whole slab alive, ~7 KiB per connection (bench `relay`).
Buffer.poolSize = 0

/** Longest a shutdown may take before the process gives up on it and exits with status 1. */
const SHUTDOWN_DEADLINE_MS = 5000

async function main (): Promise<void> {
  let options
  try {
    options = parseConfig(process.argv.slice(2), process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`p2p-chat-relay: ${err.message}`)
      process.exit(2)
    }
    throw err
  }
  if (options == null) {
    console.info(USAGE)
    return
  }
  const logger = createRelayLogger({ format: options.logFormat, level: options.logLevel })
  // the relay logs its start and its addresses ('P2P Chat relay <id>', '  listening on <addr>')
  let relay
  try {
    relay = await createRelay(options, { logger })
    await relay.start()
  } catch (err) {
    // a port in use, an unreadable data dir: said once, in the log's own format
    logger.error('start failed', { error: err, message: `p2p-chat-relay: could not start: ${(err as Error).message}` })
    process.exit(1)
  }
  // listening for the signals before saying where to open the app: whoever reads that line may stop it at once
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) {
      return
    }
    stopping = true
    logger.info('shutting down', { signal, message: `${signal}: shutting down` })
    const timer = setTimeout(() => {
      logger.error('shutdown timed out', { ms: SHUTDOWN_DEADLINE_MS, message: `shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting` })
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS)
    relay.stop().then(() => {
      clearTimeout(timer)
      process.exit(0)
    }, (err: Error) => {
      logger.error('shutdown failed', { error: err, message: `shutdown failed: ${err.message}` })
      process.exit(1)
    })
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })

  const open = `Open ${relay.url} in a browser to chat.`
  if (options.logFormat === 'json') {
    logger.info('open', { url: relay.url, message: open })
  } else {
    console.info(open)
  }
}

main().catch((err: Error) => {
  console.error(`p2p-chat-relay: ${err.stack ?? err.message}`)
  process.exit(1)
})
