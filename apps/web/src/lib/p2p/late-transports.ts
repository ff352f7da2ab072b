import { logger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { LateService } from './late-service.js'
import type { ExtraTransportsComponents } from './extras.js'
import type { LateModule } from './late-module.js'
import type { Transport } from '@libp2p/interface'
import type { TransportManager } from '@libp2p/interface-internal'

const log = logger('p2p-chat:late-transports')

/** What the node listens on once the late transports are in: a reservation on each relay, and WebRTC upgrades. */
export const DEFAULT_LATE_LISTEN = ['/p2p-circuit', '/webrtc']

export interface LateTransportsInit {
  /** the module that makes them (`extras.ts`) */
  extras: LateModule<typeof import('./extras.js')>
  /** asked for each new WebRTC connection */
  rtcConfiguration: () => Promise<RTCConfiguration>
  /** @default DEFAULT_LATE_LISTEN */
  listen?: string[]
}

export interface LateTransportsComponents extends ExtraTransportsComponents {
  transportManager: TransportManager
}

/**
 * The transports a room does not need to be shown and chatted in (`extras.ts`: circuit relay, WebRTC,
 * WebRTC-direct), added to the running node once their module is loaded, then started and listened on.
 * libp2p takes its transports when the node is made; they are added later through the transport manager, as
 * the circuit-relay transport adds its own listeners.
 *
 * They are added before they start: the WebRTC transport registers its signalling protocol as it starts, and a
 * room takes that as this node being able to upgrade to members. Added after it, a room's first upgrades in
 * between failed ("no valid addresses": no transport for a member's `/p2p-circuit/webrtc` address yet), 2–4 for
 * a page joining a room of 10, each then waiting out a retry's backoff (bench/RESULTS.md, stop 47).
 */
export class LateTransports extends LateService<typeof import('./extras.js'), Transport[]> {
  readonly [Symbol.toStringTag] = '@p2p-chat/late-transports'

  constructor (components: LateTransportsComponents, init: LateTransportsInit) {
    const listen = (init.listen ?? DEFAULT_LATE_LISTEN).map(addr => multiaddr(addr))
    super(init.extras, extras => {
      const transports = extras.createExtraTransports(components, init.rtcConfiguration)
      transports.forEach(transport => { components.transportManager.add(transport) })
      return transports
    }, async () => {
      try {
        await components.transportManager.listen(listen)
      } catch (err) {
        log.error('could not listen on %s: %s', listen, (err as Error).message)
      }
    })
  }

  /** Loads the transports if not yet (a relay this page can reach only with them), and waits until they are in. */
  override async load (): Promise<Transport[]> {
    void this.module.load()
    return super.load()
  }
}

export function lateTransports (init: LateTransportsInit): (components: LateTransportsComponents) => LateTransports {
  return (components) => new LateTransports(components, init)
}
