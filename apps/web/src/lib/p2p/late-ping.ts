import { serviceCapabilities } from '@libp2p/interface'
import { LateService, untilAborted } from './late-service.js'
import type { LateModule } from './late-module.js'
import type { DialProtocolOptions, DialTarget } from '@libp2p/interface'
import type { Ping, PingComponents } from '@libp2p/ping'

/**
 * libp2p's ping, made once the page loads its late module (`extras.ts`). Until then the page answers no ping: a
 * peer's ping fails with `UnsupportedProtocolError`, which libp2p's connection monitor takes in its stride (it
 * reads the round trip from the protocol negotiation), and the room's pinger asks only where a connection has
 * no round trip measured yet. A ping sent before then waits for the part, or for its signal.
 */
export class LatePing extends LateService<typeof import('./extras.js'), Ping> implements Ping {
  readonly [Symbol.toStringTag] = '@p2p-chat/late-ping'
  readonly [serviceCapabilities] = ['@libp2p/ping']

  constructor (components: PingComponents, extras: LateModule<typeof import('./extras.js')>) {
    super(extras, module => module.createPing(components))
  }

  async ping (peer: DialTarget, options?: DialProtocolOptions): Promise<number> {
    return (await untilAborted(this.load(), options?.signal)).ping(peer, options)
  }
}

/** {@link LatePing} as a libp2p service factory; `extras`: the module that makes it. */
export function latePing (extras: LateModule<typeof import('./extras.js')>): (components: PingComponents) => LatePing {
  return (components) => new LatePing(components, extras)
}
