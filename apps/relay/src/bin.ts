#!/usr/bin/env node
// the relay's command line: its console output is for people
import { ConfigError, USAGE, createRelay, parseConfig } from './index.js'

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
  const relay = await createRelay(options)
  await relay.start()
  const info = relay.info()
  console.info(`P2P Chat relay ${info.peerId}`)
  for (const addr of info.multiaddrs) {
    console.info(`  listening on ${addr}`)
  }
  console.info(`Open ${relay.url} in a browser to chat.`)

  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) {
      return
    }
    stopping = true
    console.info(`${signal}: shutting down`)
    const timer = setTimeout(() => {
      console.error('shutdown took longer than 5 s; exiting')
      process.exit(1)
    }, 5000)
    relay.stop().then(() => {
      clearTimeout(timer)
      process.exit(0)
    }, (err: Error) => {
      console.error(`shutdown failed: ${err.message}`)
      process.exit(1)
    })
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
}

main().catch((err: Error) => {
  console.error(`p2p-chat-relay: ${err.stack ?? err.message}`)
  process.exit(1)
})
