#!/usr/bin/env node
// the terminal peer's command line: its console output is for people
import { openNodeHistoryStore, openNodeStore } from '@p2p-chat/shared/node'
import { iceServersOf, loadRelayInfo, runChat } from './chat.js'
import { CLI_USAGE, parseCliConfig, readsRoomFromStdin } from './config.js'
import { CliConfigError } from './errors.js'
import { createCliNode } from './node.js'
import { readFirstLine } from './terminal.js'

async function main (): Promise<void> {
  const argv = process.argv.slice(2)
  let options
  try {
    // --room -: the link (a private room's holds its secret) comes on standard input, not in `ps` or shell history
    let stdinLine: string | undefined
    if (readsRoomFromStdin(argv)) {
      if (process.stdin.isTTY) {
        console.error('Paste the room link and press Enter:')
      }
      stdinLine = await readFirstLine(process.stdin)
    }
    options = parseCliConfig(argv, { stdinLine })
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
  // a signal ends the conversation as /quit does; then everything stops once, in order
  const quit = new AbortController()
  process.on('SIGINT', () => { quit.abort() })
  process.on('SIGTERM', () => { quit.abort() })
  try {
    await runChat(node, store.privateKey, options, { input: process.stdin, print: line => { console.info(line) }, signal: quit.signal }, history, relayInfo)
  } finally {
    // the room is left (runChat), then libp2p stops (it writes its peer store as connections close), then the
    // stores it wrote to close
    await node.stop()
    await store.datastore.close()
    await history.close()
  }
  // libp2p may leave timers behind after stop(); the conversation is over
  process.exit(0)
}

main().catch((err: Error) => {
  console.error(`p2p-chat: ${err.stack ?? err.message}`)
  process.exit(1)
})
