import { defaultLogger, enabled as debugEnabled } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

export interface QuietLoggerInit {
  /** whether a debug namespace's output is on @default `enabled` of @libp2p/logger (the `DEBUG` variable) */
  enabled?: (namespace: string) => boolean
  /** gives the loggers of the namespaces that are on @default `defaultLogger()` of @libp2p/logger */
  loggers?: ComponentLogger
}

const NOTHING = (): void => {}

/**
 * The libp2p node's `logger`: for a component whose debug output is off (all of them, unless `DEBUG` names
 * them), a logger that does nothing and costs a function and a closure, instead of @libp2p/logger's three
 * `debug` instances (plus a trace logger and a scope closure), which it makes for every connection, muxer and
 * stream whether or not anything is printed. On a relay holding thousands of connections those were about a
 * fifth of the JavaScript heap per connection, and creating them (each asks whether stderr is a terminal) a
 * visible share of the CPU spent admitting a peer (bench `relay`, bench/RESULTS.md). Namespaces that are on get
 * @libp2p/logger's loggers, so `DEBUG=libp2p:*` prints what it always did.
 */
export function quietLogger (init: QuietLoggerInit = {}): ComponentLogger {
  const enabled = init.enabled ?? debugEnabled
  const loggers = init.loggers ?? defaultLogger()
  const forComponent = (name: string): Logger => {
    if (enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`)) {
      return loggers.forComponent(name)
    }
    return Object.assign(() => {}, {
      enabled: false,
      error: NOTHING,
      trace: NOTHING,
      // a scope below may be on (DEBUG=libp2p:yamux:*:stream)
      newScope: (scope: string) => forComponent(`${name}:${scope}`)
    })
  }
  return { forComponent }
}
