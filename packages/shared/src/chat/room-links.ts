import { MAX_ROOM_LINKS_MEMBERS } from '../constants.js'
import { setMostRecent } from '../util/most-recent.js'

export interface RoomLinksInit {
  /**
   * Most members of one room whose direct peers are remembered; the one heard from longest ago is forgotten first
   * (its lines are then forwarded in full, as to any peer not known to have them).
   *
   * @default MAX_ROOM_LINKS_MEMBERS
   */
  maxMembers?: number
}

/**
 * Who is directly connected to whom in each room, as its members' presences say (`Presence.direct`, in a private
 * room `PrivateEnvelope.direct`: the peers a member holds a proven direct connection to). A member publishes its
 * own lines to every peer of the room it is connected to (gossipsub's flood publish), so a peer directly connected
 * to a line's author has the line from the author: gossipsub asks {@link RoomLinks.linked} before it forwards a
 * line to a peer, and a linked peer is only told of it in the next IHAVE, from which it can still ask for it
 * (`forwardLazily` in {@link roomGossipsubOptions}).
 *
 * What a presence says only changes who gets a copy of its author's own lines and of the lines sent to its author:
 * a member that names peers it is not connected to gets its own lines to them, and theirs to it, a heartbeat late.
 */
export class RoomLinks {
  private readonly rooms = new Map<string, Map<string, ReadonlySet<string>>>()
  private readonly maxMembers: number

  constructor (init: RoomLinksInit = {}) {
    this.maxMembers = init.maxMembers ?? MAX_ROOM_LINKS_MEMBERS
  }

  /** Notes the peers `member` said, in its latest presence in room `topic`, it is directly connected to. */
  set (topic: string, member: string, direct: readonly string[]): void {
    let room = this.rooms.get(topic)
    if (room == null) {
      room = new Map()
      this.rooms.set(topic, room)
    }
    setMostRecent(room, member, new Set(direct), this.maxMembers)
  }

  /** Forgets what `member` said in room `topic` (it left the room). */
  forget (member: string, topic: string): void {
    const room = this.rooms.get(topic)
    room?.delete(member)
    if (room?.size === 0) {
      this.rooms.delete(topic)
    }
  }

  /** Forgets a whole room (this node left it). */
  clear (topic: string): void {
    this.rooms.delete(topic)
  }

  /** Whether `a` and `b` are directly connected in room `topic`, as the latest presence of either says. */
  linked (topic: string, a: string, b: string): boolean {
    const room = this.rooms.get(topic)
    return room != null && (room.get(a)?.has(b) === true || room.get(b)?.has(a) === true)
  }
}
