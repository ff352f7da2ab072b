import { Counter, Gauge, Registry } from 'prom-client'
import type { StunResult } from './stun.js'

/** What the relay's gauges read, once the node exists (each is asked at every scrape). */
export interface RelayMetricSources {
  /** circuit-relay reservations held now */
  reservations: () => number
  /** relayed connections open now */
  circuitsOpen: () => number
  /** rooms the relay follows now */
  roomsFollowed: () => number
  /** chat lines kept for late joiners, across rooms (absent with `--history off`) */
  historyLines?: () => Promise<number>
}

/**
 * The relay's own metrics, in the same per-relay Prometheus registry as libp2p's (so several relays in one
 * process do not share figures). Names start with `p2p_chat_relay_`.
 *
 * @example
 *
 * ```ts
 * // anywhere the relay turns something away (the connection gater, the reservation caps, rate limits):
 * metrics.refused('reservation')   // p2p_chat_relay_refused_total{kind="reservation"} += 1
 * ```
 */
export interface RelayMetrics {
  /** the registry libp2p's metrics (`@libp2p/prometheus-metrics`) are registered in too */
  readonly registry: Registry
  /** counts one refusal, by kind (`'connection'`, `'reservation'`, `'rate'`, …): keep the kinds few and fixed */
  refused: (kind: string) => void
  /** counts one circuit the relay opened between two peers */
  circuitRelayed: () => void
  /** counts one valid message received on a room topic */
  roomMessage: () => void
  /** counts one datagram that reached the STUN responder, by what became of it */
  stunRequest: (result: StunResult) => void
  /** starts reading the gauges from the running relay */
  observe: (sources: RelayMetricSources) => void
  /** the Prometheus text exposition of every metric */
  text: () => Promise<string>
  /** the content type of {@link text} */
  readonly contentType: string
}

const PREFIX = 'p2p_chat_relay_'

/** Creates the relay's metrics in a registry of their own. */
export function createRelayMetrics (): RelayMetrics {
  const registry = new Registry()
  const registers = [registry]
  let sources: RelayMetricSources | undefined

  const refused = new Counter({
    name: `${PREFIX}refused_total`,
    help: 'Things the relay turned away (connections, reservations, messages over a rate), by kind',
    labelNames: ['kind'] as const,
    registers
  })
  const circuits = new Counter({
    name: `${PREFIX}circuits_relayed_total`,
    help: 'Relayed connections (circuit relay v2) the relay opened between two peers',
    registers
  })
  const roomMessages = new Counter({
    name: `${PREFIX}room_messages_total`,
    help: 'Valid messages received on the rooms the relay follows',
    registers
  })
  const stunRequests = new Counter({
    name: `${PREFIX}stun_requests_total`,
    help: 'Datagrams that reached the STUN responder: answered, ignored (not a well-formed Binding request) or rate-limited',
    labelNames: ['result'] as const,
    registers
  })
  new Gauge({
    name: `${PREFIX}reservations`,
    help: 'Circuit-relay reservations held',
    registers,
    collect () { this.set(sources?.reservations() ?? 0) }
  })
  new Gauge({
    name: `${PREFIX}circuits_open`,
    help: 'Relayed connections open now',
    registers,
    collect () { this.set(sources?.circuitsOpen() ?? 0) }
  })
  new Gauge({
    name: `${PREFIX}rooms_followed`,
    help: 'Rooms whose gossip the relay carries',
    registers,
    collect () { this.set(sources?.roomsFollowed() ?? 0) }
  })
  new Gauge({
    name: `${PREFIX}history_lines`,
    help: 'Chat lines kept for late joiners, across rooms',
    registers,
    async collect () { this.set(await sources?.historyLines?.().catch(() => 0) ?? 0) }
  })

  return {
    registry,
    refused: kind => { refused.inc({ kind }) },
    circuitRelayed: () => { circuits.inc() },
    roomMessage: () => { roomMessages.inc() },
    stunRequest: result => { stunRequests.inc({ result }) },
    observe: s => { sources = s },
    text: async () => registry.metrics(),
    get contentType () { return registry.contentType }
  }
}
