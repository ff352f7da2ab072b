import { TypedEventEmitter } from 'main-event'
import { ProtocolRegistration } from './protocol-registration.js'
import type { StreamLimits } from './protocol-registration.js'
import type { ComponentLogger, Connection, Logger, Startable, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

/** What every protocol service takes from libp2p (each service's own components add to it). */
export interface ProtocolServiceComponents {
  registrar: Registrar
  logger: ComponentLogger
}

export interface ProtocolServiceInit {
  /** the protocol id it handles */
  protocol: string
  /** its stream limits, from the service's init and defaults */
  limits: StreamLimits
  /** names it in errors: "The <service> service is not running" */
  service: string
  /** its logger's name, e.g. `p2p-chat:dm` */
  log: string
}

/**
 * What the stream protocol services of P2P Chat (direct messages, history sync, files, call signals) share: a
 * libp2p service whose protocol is registered, with its stream limits, from `start()` to `stop()`; a logger; and
 * `registration.signal`, which ends the service's streams when it stops. A service handles each inbound stream in
 * {@link handleStream} and ends the work it started itself (outbound streams, uploads) in {@link onStop}.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the constraint of main-event's TypedEventEmitter, which event map interfaces meet
export abstract class ProtocolService<Events extends Record<string, any> = Record<string, never>> extends TypedEventEmitter<Events> implements Startable {
  protected readonly log: Logger
  protected readonly registration: ProtocolRegistration

  constructor (components: ProtocolServiceComponents, init: ProtocolServiceInit) {
    super()
    this.log = components.logger.forComponent(init.log)
    this.registration = new ProtocolRegistration(components.registrar, init.protocol, init.limits, init.service)
  }

  isStarted (): boolean {
    return this.registration.isStarted()
  }

  async start (): Promise<void> {
    await this.registration.start(async (stream, connection) => { await this.handleStream(stream, connection) })
  }

  async stop (): Promise<void> {
    await this.registration.stop()
    this.onStop()
  }

  /** Serves one inbound stream of the protocol. */
  protected abstract handleStream (stream: Stream, connection: Connection): Promise<void>

  /** Ends what the service started itself, once its protocol is unregistered and its streams' signal aborted. */
  protected onStop (): void {}
}
