/** The relay's HTTP endpoint or its libp2p addresses cannot be reached. */
export class RelayUnreachableError extends Error {
  static override name = 'RelayUnreachableError'
  override name = 'RelayUnreachableError'
}
