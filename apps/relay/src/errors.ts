/** An option of the relay (a flag, an environment variable or a key of the config file) has a bad value. */
export class ConfigError extends Error {
  static override name = 'ConfigError'
  override name = 'ConfigError'
  /** the option at fault, by its flag name without `--` (`http-port`; `config` for the file itself), if one is */
  readonly flag?: string
  /** where its value came from: `command line`, `environment variable P2P_CHAT_…` or `config file <path>: "<key>": <value>` */
  readonly source?: string

  constructor (message: string, fields: { flag?: string, source?: string } = {}) {
    super(message)
    this.flag = fields.flag
    this.source = fields.source
  }
}

/** The web app's built files are not where the relay was told to find them. */
export class WebRootMissingError extends Error {
  static override name = 'WebRootMissingError'
  override name = 'WebRootMissingError'
}

/** A DHT PUT_VALUE the relay refuses: it keeps no value records (P2P Chat uses provider records only). */
export class DhtRecordRefusedError extends Error {
  static override name = 'DhtRecordRefusedError'
  override name = 'DhtRecordRefusedError'
}

/** A DHT provider record the relay refuses: it keeps as many as its limits allow already (see limits-dht.ts). */
export class ProviderLimitError extends Error {
  static override name = 'ProviderLimitError'
  override name = 'ProviderLimitError'
}

/** An inbound connection did not finish its handshake (encryption, multiplexer) in time: the relay closed it. */
export class HandshakeTimeoutError extends Error {
  static override name = 'HandshakeTimeoutError'
  override name = 'HandshakeTimeoutError'
}
