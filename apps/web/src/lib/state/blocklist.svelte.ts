import type { Settings } from '../storage/settings.js'

/** The settings key under which blocked peer ids are kept (a JSON array). */
const BLOCKED_KEY = 'blockedPeers'

/**
 * The peers this browser blocks, by peer id, kept in IndexedDB (the settings store) across reloads. A blocked
 * peer's lines, reactions and typing are hidden; its private messages, files and calls refused.
 */
export class Blocklist {
  #blocked = $state.raw<readonly string[]>([])
  #settings?: Settings

  /** Reads the kept list; a list that cannot be read is empty. */
  async load (settings: Settings): Promise<void> {
    this.#settings = settings
    try {
      const kept = JSON.parse(await settings.get(BLOCKED_KEY) ?? '[]') as unknown
      this.#blocked = Array.isArray(kept) ? kept.filter((id): id is string => typeof id === 'string') : []
    } catch {
      this.#blocked = []
    }
  }

  has (peerId: string): boolean {
    return this.#blocked.includes(peerId)
  }

  async block (peerId: string): Promise<void> {
    if (!this.has(peerId)) await this.#save([...this.#blocked, peerId])
  }

  async unblock (peerId: string): Promise<void> {
    await this.#save(this.#blocked.filter(id => id !== peerId))
  }

  async #save (blocked: readonly string[]): Promise<void> {
    this.#blocked = blocked
    await this.#settings?.set(BLOCKED_KEY, JSON.stringify(blocked))
  }
}
