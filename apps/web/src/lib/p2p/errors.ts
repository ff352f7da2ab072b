/** The relay's HTTP endpoint or its libp2p addresses cannot be reached. */
export class RelayUnreachableError extends Error {
  static override name = 'RelayUnreachableError'
  override name = 'RelayUnreachableError'
}

/** An action needs the node, but it has not started (or has stopped). */
export class NodeNotStartedError extends Error {
  static override name = 'NodeNotStartedError'
  override name = 'NodeNotStartedError'
}
