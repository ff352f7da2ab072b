import { describe, expect, it } from 'vitest'
import { quietLogger } from '../src/libp2p-logger.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'

/** A ComponentLogger that records which loggers it made and what they were asked to log. */
function recording (): { loggers: ComponentLogger, made: string[], lines: string[] } {
  const made: string[] = []
  const lines: string[] = []
  const make = (name: string): Logger => {
    made.push(name)
    return Object.assign((text: string) => { lines.push(`${name} ${text}`) }, {
      enabled: true,
      error: (text: string) => { lines.push(`${name}:error ${text}`) },
      trace: (text: string) => { lines.push(`${name}:trace ${text}`) },
      newScope: (scope: string) => make(`${name}:${scope}`)
    })
  }
  return { loggers: { forComponent: make }, made, lines }
}

describe('quietLogger', () => {
  it('hands out loggers that print nothing, and make no real logger, for namespaces that are off', () => {
    const { loggers, made, lines } = recording()
    const log = quietLogger({ enabled: () => false, loggers }).forComponent('libp2p:yamux')
    log('opened %s', 'a stream')
    log.error('failed')
    log.trace('frame')
    const scoped = log.newScope('stream:1')
    scoped('closed')
    expect([log.enabled, scoped.enabled]).toEqual([false, false])
    expect(made).toEqual([])
    expect(lines).toEqual([])
  })

  it('hands out real loggers for namespaces that are on, their errors or traces, and for scopes that are on below a quiet one', () => {
    const { loggers, made, lines } = recording()
    const on = new Set(['libp2p:noise', 'libp2p:identify:error', 'libp2p:ping:trace', 'libp2p:yamux:stream:1'])
    const quiet = quietLogger({ enabled: ns => on.has(ns), loggers })
    quiet.forComponent('libp2p:noise')('handshake done')
    quiet.forComponent('libp2p:identify').error('bad message')
    quiet.forComponent('libp2p:ping').trace('pong')
    const yamux = quiet.forComponent('libp2p:yamux')
    yamux('not printed')
    yamux.newScope('stream:1')('printed')
    yamux.newScope('stream:2')('not printed either')
    expect(made).toEqual(['libp2p:noise', 'libp2p:identify', 'libp2p:ping', 'libp2p:yamux:stream:1'])
    expect(lines).toEqual(['libp2p:noise handshake done', 'libp2p:identify:error bad message', 'libp2p:ping:trace pong', 'libp2p:yamux:stream:1 printed'])
  })

  it('follows DEBUG by default: off unless named', () => {
    // the test runner sets no DEBUG for libp2p's namespaces
    expect(quietLogger().forComponent('libp2p:p2p-chat-test-component').enabled).toBe(false)
  })
})
