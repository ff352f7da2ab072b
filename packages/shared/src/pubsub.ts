import { TopicValidatorResult } from '@libp2p/gossipsub'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { decodeRoomMessage } from './codec.js'
import { INVALID_MESSAGE_PENALTY, INVALID_MESSAGE_WINDOW_MS, MAX_GOSSIP_RPC_BYTES, MAX_PENALISED_PEERS } from './constants.js'
import { InvalidMessageError } from './errors.js'
import { checkChatIdentity } from './identity.js'
import { privateTopicIdFromTopic, readEnvelopeHeader } from './private-room/index.js'
import { roomIdFromTopic } from './room.js'
import { setMostRecent } from './util/most-recent.js'
import type { RoomLinks } from './chat/room-links.js'
import type { GossipsubOpts, Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'

/**
 * Mesh degree of a room member. A member publishes to every member it is connected to (flood publish), and in
 * a room its members are directly connected to each other (every one in a room of up to MAX_DIRECT_MEMBERS
 * others, LARGE_ROOM_NEIGHBOURS of them in a larger one), and all of them to the relay, so forwarding only fills
 * gaps and gossip (IHAVE to Dlazy peers each heartbeat) the rest:
 * gossipsub's default (D = 6) made every member receive each message up to six times, and at 8 members
 * sending at once the p50 latency was 3× higher than with D = 3; D = 1 cut the time a page spends in
 * `RTCDataChannel.send` by another fifth (bench `latency`, see bench/RESULTS.md).
 */
const PEER_MESH_DEGREE = { D: 1, Dlo: 1, Dhi: 2, Dout: 0, Dscore: 1, Dlazy: 3 }

/**
 * How many heartbeats' worth of a member's recent messages it advertises (IHAVE) to Dlazy peers outside its mesh
 * at each heartbeat. Gossipsub's default (3) advertises every message at three heartbeats running. A room's members
 * hear each line from the relay and from their direct neighbours' flood publish, so nearly every advertised id is
 * one the neighbour has: in a room of 16 a member received ~11 ids per line over its direct connections and asked
 * for almost none. Advertised at one heartbeat, the direct connections carried about a third fewer bytes per line,
 * and with the relay gone the room still heard every line (bench `room-cpu`, `latency` relay-gone; bench/RESULTS.md,
 * stop 50). An advertised message can still be fetched (IWANT) for gossipsub's `mcacheLength` heartbeats.
 */
const PEER_GOSSIP_WINDOWS = 1

/**
 * Mesh degree of the relay: it is the route to members that are not (yet) directly connected, so it keeps
 * more of each room in its mesh.
 */
const RELAY_MESH_DEGREE = { D: 8, Dlo: 6, Dhi: 16, Dout: 2 }

/**
 * A message's id for gossipsub's duplicate check as it arrives: its publisher and sequence number, the parts of
 * its spec'ed id under StrictSign. Gossipsub verifies a message's signature before it computes the spec'ed id and
 * finds the copy a duplicate, and a room member gets most lines more than once (the author's flood publish, then
 * its mesh peers' forwards): with this id a copy is dropped before its signature is checked again. Gossipsub
 * remembers the id only of a message that passed verification, so a forgery cannot shadow the real one.
 */
export function fastMessageId (message: Parameters<GossipsubOpts['fastMsgIdFn']>[0]): string {
  return `${uint8ArrayToString(message.from ?? new Uint8Array(0), 'base64')}:${uint8ArrayToString(message.seqno ?? new Uint8Array(0), 'base64')}`
}

/**
 * Remembers which peers sent invalid room messages and turns that into a negative gossipsub score (its
 * application-specific component), so such a peer is penalised on every room topic at once: gossipsub's own
 * invalid-delivery penalty needs score parameters per topic, fixed when the router is created, and rooms come
 * and go. At gossipsub's default thresholds nothing is published to a peer after 5 invalid messages (score
 * −50), and it is graylisted (its RPCs ignored) after 8 (−80), until the window passes.
 */
export class InvalidMessageScores {
  private readonly invalid = new Map<string, number[]>()

  /** Counts an invalid message from `peer` (a peer id string). */
  record (peer: string, now = Date.now()): void {
    const times = this.recent(peer, now)
    times.push(now)
    setMostRecent(this.invalid, peer, times, MAX_PENALISED_PEERS)
  }

  /** The score component for `peer`: −{@link INVALID_MESSAGE_PENALTY} per invalid message in the window. */
  score (peer: string, now = Date.now()): number {
    const count = this.recent(peer, now).length
    return count === 0 ? 0 : -INVALID_MESSAGE_PENALTY * count
  }

  private recent (peer: string, now: number): number[] {
    const times = (this.invalid.get(peer) ?? []).filter(t => t > now - INVALID_MESSAGE_WINDOW_MS)
    if (times.length === 0) {
      this.invalid.delete(peer)
    }
    return times
  }
}

/**
 * Gossipsub settings every P2P Chat peer (browser, relay, CLI) runs with; `role` picks the mesh degree,
 * `scores`, when given, penalises peers that send invalid room messages (see {@link InvalidMessageScores}), and
 * `links`, when given, says which peers have a line from its author already (see below).
 *
 * - StrictSign: every room message is signed by its author's libp2p key.
 * - Does not run on limited (circuit-relayed) connections. A room works before its members are directly
 *   connected because the relay is a member of every room's mesh, over each member's own (unlimited)
 *   connection to it. Gossipsub opens one outbound stream per peer, on the first connection it is told of,
 *   and never moves it: run on the circuit that precedes a WebRTC upgrade, the pair's gossip stayed pinned
 *   to that circuit and stopped when the relay cut it (data/time limit) or went away, although the direct
 *   connection was up. Kept off the circuit, gossip starts on the direct connection as soon as it opens.
 * - A copy of a message already seen is dropped before its signature is verified again ({@link fastMessageId}).
 * - Publishing to a room nobody else is in yet is not an error.
 * - With `links`, a message is forwarded to a peer that its author is directly connected to (as the room's
 *   presences say, {@link RoomLinks}) only as an IHAVE: the author's flood publish reached that peer already. In a
 *   room whose members are all directly connected, nobody then copies a line to anybody (each member's mesh is
 *   the relay, and the relay's mesh every member: each line was copied 2 × (N − 1) times more).
 * - No IP-colocation penalty: everyone behind one NAT (or on one loopback) shares an address, and the penalty
 *   made the relay drop newcomers from a room's mesh after ten joins. Per-address connection limits are
 *   the relay's tool against address floods instead.
 */
export function roomGossipsubOptions (role: 'peer' | 'relay' = 'peer', scores?: InvalidMessageScores, links?: RoomLinks): Partial<GossipsubOpts> {
  return {
    ...(links == null ? {} : { forwardLazily: (topic: string, author: string, peer: string) => peer === author || links.linked(topic, author, peer) }),
    ...(role === 'relay' ? RELAY_MESH_DEGREE : { ...PEER_MESH_DEGREE, mcacheGossip: PEER_GOSSIP_WINDOWS }),
    globalSignaturePolicy: 'StrictSign',
    allowPublishToZeroTopicPeers: true,
    runOnLimitedConnection: false,
    emitSelf: false,
    floodPublish: true,
    fastMsgIdFn: fastMessageId,
    maxInboundDataLength: MAX_GOSSIP_RPC_BYTES,
    scoreParams: {
      IPColocationFactorWeight: 0,
      ...(scores == null ? {} : { appSpecificScore: (peer: string) => scores.score(peer), appSpecificWeight: 1 })
    }
  }
}

/** Whether a topic is a P2P Chat room's: public (`/p2p-chat/room/1/<id>`) or private (`/p2p-chat/private/1/<id>`). */
export function isRoomTopic (topic: string): boolean {
  return roomIdFromTopic(topic) != null || privateTopicIdFromTopic(topic) != null
}

export interface RoomMessageValidatorOptions {
  /**
   * Asked first about every signed message, with its author and the peer that delivered it: `false` ignores
   * the message (it is neither delivered nor forwarded, and nobody's score suffers), e.g. over a rate limit.
   * @default every message is admitted
   */
  admit?: (author: PeerId, from: PeerId) => boolean
  /**
   * Where a room's presences note whom their authors are directly connected to: a public room's presence says so,
   * a private room's envelope says so in the clear (`PrivateEnvelope.direct`).
   * @default not noted
   */
  links?: RoomLinks
  /**
   * Whether a departure notice (`RoomMessage.departure`, a private room's `PrivateEnvelope.departed`) published by
   * this peer is passed on: a relay's own, or a peer relay's. Others are ignored (neither delivered nor forwarded).
   * @default none is
   */
  departuresFrom?: (publisher: PeerId) => boolean
}

/**
 * A gossipsub topic validator for room topics, public and private: rejects (and so penalises the forwarding
 * peer for) anything that is unsigned, published by a peer id that is not Ed25519, does not decode, breaks the
 * schema's limits, or — in a public room — is a chat line whose author is not the gossipsub signer or whose
 * signatures are malformed. The line's own signatures are not verified again: gossipsub has verified the
 * signer's signature over the same bytes and topic. A private room's envelope is checked for shape only: without
 * the secret nobody else can tell more (members drop forgeries).
 */
export function roomMessageValidator (onReject?: (peer: PeerId, reason: Error) => void, options: RoomMessageValidatorOptions = {}) {
  return async (peer: PeerId, message: Message): Promise<TopicValidatorResult> => {
    try {
      if (message.type !== 'signed') {
        throw new InvalidMessageError('unsigned room message')
      }
      if (options.admit?.(message.from, peer) === false) {
        return TopicValidatorResult.Ignore
      }
      checkChatIdentity(message.from, 'The publisher\'s peer id')
      let departure = false
      if (privateTopicIdFromTopic(message.topic) != null) {
        const header = readEnvelopeHeader(message.data)
        departure = header.departed != null
        if (header.ephemeral && !departure) {
          options.links?.set(message.topic, message.from.toString(), header.direct)
        }
      } else {
        // gossipsub has verified the message's signature by `from` (StrictSign) before it asks
        const event = await decodeRoomMessage(message.data, message.topic, { publisher: message.from.toString() })
        if (event.type === 'presence') {
          options.links?.set(message.topic, message.from.toString(), event.presence.direct ?? [])
        }
        departure = event.type === 'departure'
      }
      if (departure && options.departuresFrom?.(message.from) !== true) {
        return TopicValidatorResult.Ignore
      }
      return TopicValidatorResult.Accept
    } catch (err) {
      onReject?.(peer, err as Error)
      return TopicValidatorResult.Reject
    }
  }
}
