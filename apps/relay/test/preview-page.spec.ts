import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { attachmentFallback, createMessageId, createRoomId, encodeChat, encodePresence, fingerprint, roomTopic } from '@p2p-chat/shared'
import { describe, expect, it } from 'vitest'
import { roomPreviewHtml } from '../src/preview-page.js'
import type { Chat } from '@p2p-chat/shared'

describe('a room preview drawn as HTML', async () => {
  const key = await generateKeyPair('Ed25519')
  const author = peerIdFromPrivateKey(key).toString()
  const roomId = createRoomId()
  const topic = roomTopic(roomId)
  const line = async (chat: Partial<Chat>): Promise<Uint8Array> =>
    encodeChat({ id: createMessageId(), name: 'alice', text: 'hello', timestamp: Date.now(), ...chat }, topic, key)
  /** the drawn page's text, tags taken out and the escapes read back, as a browser shows it */
  const shown = (html: string): string => html.replace(/<[^>]*>/g, ' ').replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!)

  it('draws each line as text, never as markup, with its author\'s name and fingerprint', async () => {
    const text = '<script>alert(1)</script> <b>"bold"</b> & \'quoted\' $& $\''
    const html = roomPreviewHtml({ roomId, lines: [await line({ text, name: '<i>eve</i>' })] })
    expect(html).not.toMatch(/<(script|b|i)>/)
    expect(shown(html)).toContain(text)
    expect(shown(html)).toContain('<i>eve</i>')
    expect(html).toContain(`data-from="${author}"`)
    expect(html).toContain(`…${fingerprint(author)}`)
    expect(html).toContain(`Room <span class="fingerprint">${roomId.slice(0, 8)}</span>`)
  })

  it('quotes what a reply answers, leaves reactions to the app, and names an offered file', async () => {
    const first = createMessageId()
    const offer = { id: 'a'.repeat(64), name: 'cat.png', size: 2048, mime: 'image/png' }
    const lines = [
      await line({ id: first, text: 'the question' }),
      await line({ text: 'the answer', replyTo: first }),
      await line({ text: '👍', reactTo: first }),
      await line({ text: 'to something gone', replyTo: createMessageId() }),
      await line({ text: `${attachmentFallback(offer)}\na cat`, attachment: offer })
    ]
    const text = shown(roomPreviewHtml({ roomId, lines }))
    expect(text).toContain('↩ alice: “the question”')
    expect(text).toContain('↩ a line not shown here')
    expect(text).not.toContain('👍')
    expect(text).toContain(`${attachmentFallback(offer)}\na cat`)
    expect(roomPreviewHtml({ roomId, lines }).match(/<li /g)).toHaveLength(4)
  })

  it('draws nothing for what is not a chat line, and does not throw on bytes that do not decode', async () => {
    const html = roomPreviewHtml({ roomId, lines: [encodePresence({ name: 'alice', multiaddrs: [], hello: true }), new Uint8Array([0xff, 0xff, 0xff]), await line({})] })
    expect(html.match(/<li /g)).toHaveLength(1)
  })
})
