import { contentRoutingSymbol, peerRoutingSymbol } from '@libp2p/interface'
import { LateService, untilAborted } from './late-service.js'
import type { RoutingDHT } from './extras.js'
import type { LateModule } from './late-module.js'
import type { AbortOptions, ContentRouting, PeerRouting } from '@libp2p/interface'
import type { KadDHTComponents } from '@libp2p/kad-dht'

export interface LateDHTInit {
  /** the module that makes it (`extras.ts`); routing queries wait until the page has loaded it */
  extras: LateModule<typeof import('./extras.js')>
  /** the page came from a private host: peers found may sit on private addresses */
  privateHost: boolean
}

/**
 * The registrar as a topology registered late sees it: it is also told of the peers already connected that run
 * its protocol (libp2p's registrar tells a topology only of peers identified after it registered, so a DHT made
 * after the relay was identified would never learn that the relay is a DHT server).
 */
function lateRegistrar (components: KadDHTComponents): KadDHTComponents['registrar'] {
  const { registrar, connectionManager, peerStore } = components
  const register: KadDHTComponents['registrar']['register'] = async (protocol, topology) => {
    const id = await registrar.register(protocol, topology)
    for (const connection of connectionManager.getConnections()) {
      if (connection.status !== 'open' || (connection.limits != null && topology.notifyOnLimitedConnection !== true)) {
        continue
      }
      const peer = await peerStore.get(connection.remotePeer).catch(() => undefined)
      if (peer?.protocols.includes(protocol) !== true || topology.filter?.has(connection.remotePeer) === true) {
        continue
      }
      topology.filter?.add(connection.remotePeer)
      await topology.onConnect?.(connection.remotePeer, connection)
    }
    return id
  }
  return new Proxy(registrar, {
    get: (target, key) => {
      if (key === 'register') {
        return register
      }
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

export class LateDHT extends LateService<typeof import('./extras.js'), RoutingDHT> {
  readonly [Symbol.toStringTag] = '@p2p-chat/late-dht'
  readonly [contentRoutingSymbol]: ContentRouting
  readonly [peerRoutingSymbol]: PeerRouting

  constructor (components: KadDHTComponents, init: LateDHTInit) {
    super(init.extras, extras => {
      const registrar = lateRegistrar(components)
      return extras.createDHT(new Proxy(components, { get: (target, key) => key === 'registrar' ? registrar : Reflect.get(target, key) }), init.privateHost)
    })
    const dht = async (options?: AbortOptions): Promise<RoutingDHT> => untilAborted(this.load(), options?.signal)
    this[contentRoutingSymbol] = {
      provide: async (key, options) => { await (await dht(options))[contentRoutingSymbol].provide(key, options) },
      cancelReprovide: async (key, options) => { await (await dht(options))[contentRoutingSymbol].cancelReprovide(key, options) },
      findProviders: async function * (key, options) { yield * (await dht(options))[contentRoutingSymbol].findProviders(key, options) },
      put: async (key, value, options) => { await (await dht(options))[contentRoutingSymbol].put(key, value, options) },
      get: async (key, options) => (await dht(options))[contentRoutingSymbol].get(key, options)
    }
    this[peerRoutingSymbol] = {
      findPeer: async (peerId, options) => (await dht(options))[peerRoutingSymbol].findPeer(peerId, options),
      getClosestPeers: async function * (key, options) { yield * (await dht(options))[peerRoutingSymbol].getClosestPeers(key, options) }
    }
  }
}

/**
 * Kademlia (client mode), made once the page loads its late module (`extras.ts`): content and peer routing
 * queries wait for it. The rooms use it to find members that reach the room through another relay.
 */
export function lateDHT (init: LateDHTInit): (components: KadDHTComponents) => LateDHT {
  return (components) => new LateDHT(components, init)
}
