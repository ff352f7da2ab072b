
import { multiaddr } from '@multiformats/multiaddr'
import { createMessageId, createRoomId, encodeChat, roomTopic } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { sample, tcpAddr, useTestResources } from './helpers.js'
import type { TestRelay } from './helpers.js'


const { relay, chatPeer: peer } = useTestResources()

async function value (r: TestRelay, name: string, labels?: string): Promise<number | undefined> {
  return sample(await r.relay.metrics.text(), `p2p_chat_relay_${name}`, labels)
}

describe('relay metrics', () => {
  it('count reservations held, and circuits opened and open', async () => {
    const r = await relay()
    const [a, b] = [await peer(), await peer()]
    // A reserves a slot (its circuit-relay transport listens on /p2p-circuit)
    await a.node.dial(multiaddr(tcpAddr(r.relay)))
    await waitFor(async () => await value(r, 'reservations') === 1)
    expect(await value(r, 'circuits_relayed_total')).toBe(0)

    // B reaches A through the relay
    const circuit = multiaddr(`${tcpAddr(r.relay)}/p2p-circuit/p2p/${a.node.peerId.toString()}`)
    const connection = await b.node.dial(circuit)
    expect(connection.limits).toBeDefined()
    await waitFor(async () => await value(r, 'circuits_relayed_total') === 1)
    expect(await value(r, 'circuits_open')).toBe(1)

    await connection.close()
    await waitFor(async () => await value(r, 'circuits_open') === 0)
    expect(await value(r, 'circuits_relayed_total')).toBe(1)
  })

  it('count rooms followed, room messages and the lines kept', async () => {
    const r = await relay()
    const { node, key } = await peer()
    const topic = roomTopic(createRoomId())
    node.services.pubsub.subscribe(topic)
    await node.dial(multiaddr(tcpAddr(r.relay)))
    await waitFor(() => node.services.pubsub.getSubscribers(topic).some(p => p.equals(r.relay.node.peerId)))
    expect(await value(r, 'rooms_followed')).toBe(1)
    expect(r.logs.filter(l => l.event === 'room followed').map(l => l.topic)).toEqual([topic])
    for (const text of ['one', 'two']) {
      await node.services.pubsub.publish(topic, await encodeChat({ id: createMessageId(), name: 'a', text, timestamp: Date.now() }, topic, key))
    }
    await waitFor(async () => await value(r, 'room_messages_total') === 2 && await value(r, 'history_lines') === 2)
  })

  it('count refusals by kind, as the limits report them', async () => {
    const r = await relay()
    r.relay.metrics.refused('reservation')
    r.relay.metrics.refused('reservation')
    r.relay.metrics.refused('connection')
    expect(await value(r, 'refused_total', 'kind="reservation"')).toBe(2)
    expect(await value(r, 'refused_total', 'kind="connection"')).toBe(1)
  })
})
