import type { Settings } from '../storage/settings.js'

/** The settings key of the peers this browser blocks: their lines are hidden, their messages, files and calls refused. */
export const BLOCKED_PEERS_KEY = 'blockedPeers'
/** The settings key of the peers this browser mutes: their lines show, but count nothing unread and notify nothing. */
export const MUTED_PEERS_KEY = 'mutedPeers'

/**
 * A set of peer ids kept in IndexedDB (the settings store, a JSON array under `key`) across reloads: the peers
 * this browser blocks, or those it mutes.
 */
export class KeptPeers {
  readonly #key: string
  #peers = $state.raw<readonly string[]>([])
  #settings?: Settings

  constructor (key: string) {
    this.#key = key
  }

  /** Reads the kept list; a list that cannot be read is empty. */
  async load (settings: Settings): Promise<void> {
    this.#settings = settings
    try {
      const kept = JSON.parse(await settings.get(this.#key) ?? '[]') as unknown
      this.#peers = Array.isArray(kept) ? kept.filter((id): id is string => typeof id === 'string') : []
    } catch {
      this.#peers = []
    }
  }

  /** the peers kept: a new array after each change */
  get peers (): readonly string[] {
    return this.#peers
  }

  has (peerId: string): boolean {
    return this.#peers.includes(peerId)
  }

  async add (peerId: string): Promise<void> {
    if (!this.has(peerId)) await this.#save([...this.#peers, peerId])
  }

  async remove (peerId: string): Promise<void> {
    await this.#save(this.#peers.filter(id => id !== peerId))
  }

  async #save (peers: readonly string[]): Promise<void> {
    this.#peers = peers
    await this.#settings?.set(this.#key, JSON.stringify(peers))
  }
}
