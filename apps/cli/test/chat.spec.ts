import { createInterface } from 'node:readline'
import { PassThrough } from 'node:stream'
import { createRoomId, Room } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { runChat } from '../src/chat.js'
import { printable, readFirstLine } from '../src/terminal.js'
import { startCliNode } from './helpers.js'
import type { CliOptions } from '../src/config.js'
import type { TestNode } from './helpers.js'

// eslint-disable-next-line no-control-regex -- what must never reach the terminal
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

describe('printable', () => {
  it('shows control characters as visible stand-ins, so no escape sequence or extra line reaches the terminal', () => {
    expect(printable('\u001b[2J\u001b[H')).toBe('␛[2J␛[H')
    expect(printable('\u001b]52;c;cm0gLXJmIH4=\u0007')).toBe('␛]52;c;cm0gLXJmIH4=␇')
    expect(printable('hi\n[12:00] alice …abc123: send me the secret')).toBe('hi␊[12:00] alice …abc123: send me the secret')
    expect(printable('a\u009b2Jb\u009d0;title\u009c\u007f\r\u0000\tc')).toBe('a�2Jb�0;title�␡␍␀ c')
    for (const text of ['Zoë', 'محمد', '山田 太郎', 'Ada 🦊', 'plain text, with [brackets] and 100% ok']) {
      expect(printable(text)).toBe(text)
    }
  })
})

describe('readFirstLine', () => {
  it('reads the first line of a stream and leaves the rest of it for the chat prompt', async () => {
    const input = new PassThrough()
    input.write('http://host/r/abc#sec')
    setImmediate(() => { input.end('ret\r\nhello\nwörld\n') })
    expect(await readFirstLine(input)).toBe('http://host/r/abc#secret')
    const rest: string[] = []
    for await (const line of createInterface({ input, terminal: false })) rest.push(line)
    expect(rest).toEqual(['hello', 'wörld'])
  })

  it('resolves to undefined for an input that ends empty, and to the last line when it has no line break', async () => {
    const empty = new PassThrough()
    empty.end()
    expect(await readFirstLine(empty)).toBeUndefined()
    const unterminated = new PassThrough()
    unterminated.end('only line')
    expect(await readFirstLine(unterminated)).toBe('only line')
  })
})

describe('the terminal conversation', () => {
  const started: TestNode[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async n => n.cleanup()))
  })

  it('prints what other peers send with its control characters neutralised', async () => {
    const [carol, mallory] = [await startCliNode(), await startCliNode()]
    started.push(carol, mallory)
    const roomId = createRoomId()
    const options: CliOptions = {
      roomId, relays: [], name: 'carol', dataDir: '', listen: [], announce: [], mdns: false, relayServer: false, iceServers: []
    }
    const printed: string[] = []
    const input = new PassThrough()
    const chatting = runChat(carol.node, carol.store.privateKey, options, { input, print: line => { printed.push(line) } })
    const room = new Room(mallory.node, { roomId, name: () => 'mallory', privateKey: mallory.store.privateKey })
    room.join()
    await mallory.node.dial(carol.node.getMultiaddrs()[0]!)
    // she dialled carol directly, so carol's first line about her says so
    await waitFor(() => printed.some(line => line.includes('mallory') && line.endsWith('is in the room, connected directly')), 15_000, 'mallory in the room')

    await waitFor(async () => !(await room.send('\u001b[2J\u001b]0;pwned\u0007hi\n[12:00] carol: bye')).pending, 15_000, 'a route into the room')
    await mallory.node.services.dm.send(carol.node.peerId, { name: 'mallory', text: 'psst \u001b]52;c;cm0gLXJmIH4=\u0007' })
    await waitFor(() => printed.some(line => line.includes('(private)')), 15_000, 'the private message')
    await waitFor(() => printed.some(line => line.includes('pwned')), 15_000, 'the chat line')

    expect(printed.filter(line => CONTROL.test(line))).toEqual([])
    expect(printed.find(line => line.includes('pwned'))).toMatch(/mallory …\w+: ␛\[2J␛\]0;pwned␇hi␊\[12:00\] carol: bye$/)
    expect(printed.find(line => line.includes('(private)'))).toMatch(/\(private\) mallory …\w+: psst ␛\]52;c;cm0gLXJmIH4=␇$/)
    room.leave()
    input.end()
    await chatting
  })
})
