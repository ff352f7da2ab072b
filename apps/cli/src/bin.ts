#!/usr/bin/env node
// the terminal peer's command line: its console output is for people
import { openNodeHistoryStore, openNodeStore } from '@p2p-chat/shared/node'
import { iceServersOf, loadRelayInfo, runChat } from './chat.js'
import { CLI_USAGE, parseCliConfig } from './config.js'
import { CliConfigError } from './errors.js'
import { createCliNode } from './node.js'

async function main (): Promise<void> {
  let options
  try {
    options = parseCliConfig(process.argv.slice(2))
  } catch (err) {
    if (err instanceof CliConfigError) {
      console.error(`p2p-chat: ${err.message}`)
      process.exit(2)
    }
    throw err
  }
  if (options == null) {
    console.info(CLI_USAGE)
    return
  }
  const store = await openNodeStore(options.dataDir)
  const history = await openNodeHistoryStore(options.dataDir)
  // the link's relay names its STUN server: WebRTC upgrades need it from the first one
  const relayInfo = loadRelayInfo(options)
  const node = await createCliNode(store, { ...options, history, iceServers: iceServersOf(options, relayInfo) })
  const stop = async (): Promise<void> => {
    await node.stop()
    await store.datastore.close()
    await history.close()
  }
  process.on('SIGINT', () => { void stop().then(() => process.exit(0)) })
  process.on('SIGTERM', () => { void stop().then(() => process.exit(0)) })
  await runChat(node, store.privateKey, options, { input: process.stdin, print: line => { console.info(line) } }, history, relayInfo)
  await stop()
  // libp2p may leave timers behind after stop(); the conversation is over
  process.exit(0)
}

main().catch((err: Error) => {
  console.error(`p2p-chat: ${err.stack ?? err.message}`)
  process.exit(1)
})
