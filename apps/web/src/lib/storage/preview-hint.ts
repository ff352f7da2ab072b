/**
 * The localStorage key under which the page keeps what index.html's inline script reads before the page is first
 * drawn, to show the relay's drawing of a room's newest lines (apps/relay/src/preview-page.ts) as this reader's app
 * would: my peer id (my lines tinted) and the peers I block (their lines hidden). index.html names the same key.
 * A copy, not the record: the settings store (IndexedDB) holds them, but only a synchronous read comes before the
 * first frame.
 */
export const PREVIEW_HINT_KEY = 'p2p-chat:preview-hint'

export interface PreviewHint {
  me: string
  blocked: readonly string[]
}

/** Keeps the hint; a browser that keeps nothing in localStorage (storage off, quota) shows the preview without it. */
export function keepPreviewHint (hint: PreviewHint): void {
  try {
    localStorage.setItem(PREVIEW_HINT_KEY, JSON.stringify({ me: hint.me, blocked: hint.blocked }))
  } catch {
    // the preview is then drawn as the relay drew it, until the app shows the room
  }
}
