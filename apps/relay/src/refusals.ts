import { logger } from '@libp2p/logger'
import type { RelayLogger } from './log.js'

const log = logger('p2p-chat:relay:limits')

/**
 * Where the relay's limits report each refusal. The relay's metrics (`metrics.ts`) are one; the default counts
 * nothing.
 */
export interface RefusalCounter {
  /** counts one refusal of `kind`, one of {@link REFUSAL_KINDS} */
  refused: (kind: string) => void
}

/** A counter that counts nothing. */
export const NO_REFUSAL_COUNTER: RefusalCounter = { refused: () => {} }

/** Every kind of refusal the relay counts: a fixed few, so that a metrics label stays small. */
export const REFUSAL_KINDS = [
  // inbound connections (limits-connections.ts)
  'connections', 'connections-per-ip', 'pending-connections', 'pending-per-ip', 'connection-rate', 'handshake-timeout',
  // a peer whose identity is not Ed25519 (limits-connections.ts)
  'identity',
  // circuit-relay reservations (limits-reservations.ts)
  'reservations', 'reservations-per-ip',
  // rooms (rooms.ts)
  'rooms', 'rooms-per-peer', 'publish-rate',
  // the DHT server (limits-dht.ts)
  'dht-record', 'dht-providers', 'dht-providers-per-key'
] as const

export type RefusalKind = typeof REFUSAL_KINDS[number]

/**
 * Logs each refusal (`DEBUG=p2p-chat:relay:limits`, and at debug level in the relay's operational log, if
 * given: a flood of refusals must not flood the log), counts it by kind, and passes it on to a
 * {@link RefusalCounter}.
 */
export class Refusals {
  private readonly counter: RefusalCounter
  private readonly logger?: RelayLogger
  private readonly counts = new Map<RefusalKind, number>()

  constructor (counter: RefusalCounter = NO_REFUSAL_COUNTER, logger?: RelayLogger) {
    this.counter = counter
    this.logger = logger
  }

  /** Records one refusal of `kind`; `format` and `args` describe it (`%s`, `%d`, `%p` for a peer, `%a` for an address). */
  refuse (kind: RefusalKind, format: string, ...args: unknown[]): void {
    log(`refused (%s): ${format}`, kind, ...args)
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1)
    this.counter.refused(kind)
    if (this.logger != null) {
      let i = 0
      const detail = format.replace(/%[sdpa]/g, () => String(args[i++]))
      this.logger.debug('refused', { kind, detail, message: `refused (${kind}): ${detail}` })
    }
  }

  /** Refusals so far, by kind (kinds never refused are absent). */
  get totals (): Partial<Record<RefusalKind, number>> {
    return Object.fromEntries(this.counts)
  }
}
