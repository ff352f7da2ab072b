import { start, stop } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import type { LateModule } from './late-module.js'
import type { Startable } from '@libp2p/interface'

const log = logger('p2p-chat:late-service')

/** Runs one `prepare` on the part: a failure is logged, and the part starts all the same. */
async function prepared<T> (prepare: (made: T) => Promise<void>, made: T): Promise<void> {
  try {
    await prepare(made)
  } catch (err) {
    log.error('preparing a late part of the node failed: %s', (err as Error).message)
  }
}

/** Resolves to `promise`, or rejects when `signal` aborts first. */
export async function untilAborted<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal == null) {
    return promise
  }
  signal.throwIfAborted()
  return Promise.race([promise, new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
  })])
}

/**
 * A part of the node made only once its module is loaded (`LateModule`), then started: the running node
 * carries a small stand-in from the start (this class), so libp2p knows the service by name, and the page's
 * first script does not carry its code. Whoever loads the module (the page once its room is on screen, or a
 * first use) gets the part made; {@link load} waits for it.
 */
export class LateService<M, T> implements Startable {
  protected readonly module: LateModule<M>
  private readonly create: (module: M) => T | Promise<T>
  private readonly started?: (made: T) => Promise<void>
  private made?: Promise<T>
  private running = false
  private readonly preparers: Array<(made: T) => Promise<void>> = []

  /** `create` makes the part from its module; `started`, if given, runs once it is made and started. */
  constructor (module: LateModule<M>, create: (module: M) => T | Promise<T>, started?: (made: T) => Promise<void>) {
    this.module = module
    this.create = create
    this.started = started
  }

  start (): void {
    this.running = true
    this.module.loaded.then(async () => this.load(), (err: Error) => { log.error('a late part of the node did not load: %s', err.message) })
  }

  async stop (): Promise<void> {
    this.running = false
    const made = await this.made?.catch(() => undefined)
    if (made != null) {
      await stop(...[made].flat())
    }
  }

  /**
   * Runs `prepare` on the part once it is made and before it starts, that is before its protocol handler is
   * registered: whoever must hear everything the part receives (the page's state for direct messages and calls)
   * attaches its listeners here, so nothing that arrives while the page's own code is still loading is dropped.
   * A part already made gets it at once. A `prepare` that fails is logged; the part starts all the same.
   */
  prepare (prepare: (made: T) => Promise<void>): void {
    if (this.made == null) {
      this.preparers.push(prepare)
      return
    }
    void this.made.then(async made => { await prepared(prepare, made) })
  }

  /** The part, made and started once its module is loaded (this does not load it: see {@link LateModule.load}). */
  async load (): Promise<T> {
    this.made ??= this.module.loaded.then(async module => {
      const made = await this.create(module)
      for (const prepare of this.preparers.splice(0)) {
        await prepared(prepare, made)
      }
      if (this.running) {
        await start(...[made].flat())
        await this.started?.(made)
      }
      return made
    })
    return this.made
  }
}
