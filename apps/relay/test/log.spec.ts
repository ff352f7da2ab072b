import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { createRelayLogger } from '../src/log.js'
import type { RelayLoggerInit } from '../src/log.js'

const PEER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const NOW = new Date('2026-11-27T10:00:00.000Z')

function collect (init: RelayLoggerInit): { lines: string[], logger: ReturnType<typeof createRelayLogger> } {
  const lines: string[] = []
  return { lines, logger: createRelayLogger({ ...init, now: () => NOW, write: line => { lines.push(line) } }) }
}

describe('relay logger', () => {
  it('writes one JSON object per line: time, level, event, then the fields as plain values', () => {
    const { lines, logger } = collect({ format: 'json' })
    logger.info('peer relay connected', { peer: peerIdFromString(PEER), addr: multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`), failures: 0 })
    logger.warn('refused', { kind: 'reservation', error: new Error('too many') })
    expect(lines).toHaveLength(2)
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-11-27T10:00:00.000Z', level: 'info', event: 'peer relay connected', peer: PEER, addr: `/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`, failures: 0
    })
    expect(JSON.parse(lines[1]!)).toEqual({ time: '2026-11-27T10:00:00.000Z', level: 'warn', event: 'refused', kind: 'reservation', error: 'too many' })
    expect(lines.every(line => !line.includes('\n'))).toBe(true)
  })

  it('writes only the levels at or above its own', () => {
    for (const [level, expected] of [['error', ['error']], ['warn', ['error', 'warn']], ['info', ['error', 'warn', 'info']], ['debug', ['error', 'warn', 'info', 'debug']]] as const) {
      const { lines, logger } = collect({ format: 'json', level })
      logger.debug('d')
      logger.info('i')
      logger.warn('w')
      logger.error('e')
      expect(lines.map(line => (JSON.parse(line) as { level: string }).level).sort(), level).toEqual([...expected].sort())
    }
    // info is the default
    const { lines, logger } = collect({})
    logger.debug('hidden')
    logger.info('shown')
    expect(lines).toEqual(['shown'])
  })

  it('writes lines for people in text: the message if there is one, else the event and its fields', () => {
    const { lines, logger } = collect({ format: 'text' })
    logger.info('relay started', { peerId: PEER, message: `P2P Chat relay ${PEER}` })
    logger.info('room followed', { topic: '/p2p-chat/room/1/abc' })
    logger.warn('refused', { kind: 'connection', reason: 'too many from one address' })
    expect(lines).toEqual([
      `P2P Chat relay ${PEER}`,
      'room followed {"topic":"/p2p-chat/room/1/abc"}',
      'warn: refused {"kind":"connection","reason":"too many from one address"}'
    ])
  })

  it('never writes a field that looks like a secret, and keeps its own time, level and event', () => {
    const { lines, logger } = collect({ format: 'json' })
    logger.error('oops', { privateKey: 'k1', tlsKey: '-----BEGIN PRIVATE KEY-----', secret: 's', nested: { password: 'p', ok: 1 }, level: 'forged', event: 'forged' })
    const line = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(line).toMatchObject({ level: 'error', event: 'oops', privateKey: '[redacted]', tlsKey: '[redacted]', secret: '[redacted]', nested: { password: '[redacted]', ok: 1 } })
    expect(lines[0]).not.toContain('BEGIN PRIVATE KEY')
    expect(lines[0]).not.toContain('forged')
  })

  it('redacts secrets in the text format too, on one line', () => {
    const { lines, logger } = collect({ format: 'text' })
    logger.error('start failed', { error: new Error('port in use'), token: 't0ken' })
    expect(lines).toEqual(['error: start failed {"error":"port in use","token":"[redacted]"}'])
  })
})
