import { escapeHtml, fingerprint, quoteExcerpt, readChatLine, ROOM_PREVIEW_PAGE_ID } from '@p2p-chat/shared'
import type { RoomPreview } from '@p2p-chat/shared'

/**
 * A public room's preview as HTML the browser draws before any script of the page has run: the room's frame (the
 * app's header and the room's heading) and its newest lines, in the app's own global classes so that the app,
 * once it has started and shown the same lines, takes its place without the page moving. The app removes it
 * (element {@link ROOM_PREVIEW_PAGE_ID}); until then it lies over the app. Reactions are left to the app, and a
 * line's time too (the relay does not know the reader's time zone: an empty `<time>` keeps its place); a line
 * offering a file shows its text, which names the file. Text is escaped: never markup.
 *
 * The lines are not verified here: the relay kept each only once gossipsub had verified its author's signature
 * over it and the room's validator had checked it (docs/PROTOCOL.md, "Signed chat lines"), and the page verifies
 * the line's own signatures before the app shows it (a line whose own do not verify is drawn here, then dropped).
 * What the page's inline script hides before this is drawn: everything on a private room's link (the relay cannot
 * know a link is private: its secret never reaches the relay) and the lines of the peers the reader blocked
 * (apps/web/index.html).
 */
export function roomPreviewHtml (preview: RoomPreview): string {
  const lines = preview.lines.flatMap(data => {
    try {
      return [readChatLine(data)].filter(line => line != null)
    } catch {
      return []
    }
  })
  const byId = new Map(lines.map(({ chat }) => [chat.id, chat]))
  const items = lines.filter(({ chat }) => chat.reactTo == null).map(({ chat, author }) => {
    const answered = chat.replyTo == null ? undefined : byId.get(chat.replyTo)
    const quote = chat.replyTo == null
      ? ''
      : answered == null
        ? '<blockquote class="quote">↩ a line not shown here</blockquote>'
        : `<blockquote class="quote">↩ ${escapeHtml(answered.name)}: “${escapeHtml(quoteExcerpt(answered.text))}”</blockquote>`
    return `<li data-from="${escapeHtml(author)}">${quote}<div class="line-head"><span class="author">${escapeHtml(chat.name)}</span>` +
      `<span class="fingerprint">…${escapeHtml(fingerprint(author))}</span><time></time></div>` +
      `<p class="text">${escapeHtml(chat.text)}</p></li>`
  })
  return `<div id="${ROOM_PREVIEW_PAGE_ID}" class="room-preview"><div class="page"><div class="app-header">` +
    '<span class="brand"><img class="logo" src="/favicon.svg" width="28" height="28" alt=""><span class="brand-name">P2P Chat</span></span></div>' +
    '<section class="room"><div class="conversation"><div class="room-head">' +
    `<h1>Room <span class="fingerprint">${escapeHtml(preview.roomId.slice(0, 8))}</span></h1><span class="badge public">Public</span></div>` +
    `<section class="log card" aria-label="The room's newest lines"><ol class="messages">${items.join('')}</ol></section>` +
    '<p class="composer-space">P2P Chat is starting to join this room (it needs JavaScript).</p>' +
    '</div></section></div></div>'
}
