import { NotStartedError } from '@libp2p/interface'
import { setMaxListeners } from 'main-event'
import type { StreamHandler } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export interface StreamLimits {
  maxInboundStreams: number
  maxOutboundStreams: number
  /**
   * Whether the protocol runs on limited (relayed) connections: direct messages and history sync do, as a peer
   * may have nothing else until its WebRTC upgrade; file transfer does not.
   *
   * @default true
   */
  runOnLimitedConnection?: boolean
}

/**
 * One stream protocol of a P2P Chat service (direct messages, history sync, files): registers its handler with
 * its stream limits and owns the signal that ends the service's streams when it stops.
 */
export class ProtocolRegistration {
  readonly protocol: string
  readonly limits: StreamLimits
  private readonly registrar: Registrar
  private readonly service: string
  private shutdown?: AbortController

  /** `service` names the service in errors: "The <service> service stopped" */
  constructor (registrar: Registrar, protocol: string, limits: StreamLimits, service: string) {
    this.registrar = registrar
    this.protocol = protocol
    this.limits = limits
    this.service = service
  }

  isStarted (): boolean {
    return this.shutdown != null
  }

  /** Aborted when the service stops; `undefined` while it is not started. */
  get signal (): AbortSignal | undefined {
    return this.shutdown?.signal
  }

  /** The error for work the service could not do because it is not running (not started, or stopped meanwhile). */
  stopped (): NotStartedError {
    return new NotStartedError(`The ${this.service} service is not running`)
  }

  async start (handler: StreamHandler): Promise<void> {
    const shutdown = new AbortController()
    setMaxListeners(Infinity, shutdown.signal)
    await this.registrar.handle(this.protocol, handler, { runOnLimitedConnection: true, ...this.limits })
    this.shutdown = shutdown
  }

  async stop (): Promise<void> {
    const shutdown = this.shutdown
    this.shutdown = undefined
    await this.registrar.unhandle(this.protocol)
    shutdown?.abort(this.stopped())
  }
}
