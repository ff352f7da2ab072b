/** An action that needs a room (send, react) was called while no room is open. */
export class NotInRoomError extends Error {
  static override name = 'NotInRoomError'
  override name = 'NotInRoomError'

  constructor (message = 'Not in a room yet') {
    super(message)
  }
}
