import { describe, expect, it } from 'vitest'
import { LateModule } from './late-module.js'
import { LateTransports } from './late-transports.js'
import type { LateTransportsComponents } from './late-transports.js'
import type { Transport } from '@libp2p/interface'

describe('LateTransports', () => {
  it('adds the transports to the node before they start, and listens once they have', async () => {
    const events: string[] = []
    const added: unknown[] = []
    /** A stand-in transport: as it starts (when the WebRTC transport registers its signalling protocol), it notes whether the node can dial with it */
    const transport = (name: string): Transport => ({
      start: () => { events.push(`${name} started, ${added.some(t => (t as { name: string }).name === name) ? 'in the node' : 'not in the node'}`) },
      stop: () => {},
      name
    }) as unknown as Transport
    const components = {
      transportManager: {
        add: (t: Transport) => { added.push(t) },
        listen: async (addrs: unknown[]) => { events.push(`listening on ${addrs.map(String).join(' ')}`) }
      }
    } as unknown as LateTransportsComponents
    const extras = new LateModule(async () => ({ createExtraTransports: () => [transport('circuit'), transport('webrtc')] }) as unknown as typeof import('./extras.js'))
    const transports = new LateTransports(components, { extras, rtcConfiguration: async () => ({}), listen: ['/p2p-circuit', '/webrtc'] })
    transports.start()
    await transports.load()
    expect(events).toEqual([
      'circuit started, in the node',
      'webrtc started, in the node',
      'listening on /p2p-circuit /webrtc'
    ])
  })
})
