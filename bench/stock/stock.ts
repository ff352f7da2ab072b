/**
 * The stock baseline of the browser benchmarks: js-libp2p-examples' browser pubsub page (examples/
 * js-libp2p-example-browser-pubsub) as its README runs it — dial the relay by multiaddr, subscribe to a topic,
 * send; received messages are appended to the output — with gossipsub (stock defaults) as its pubsub. Same
 * libp2p versions as the app; nothing of P2P Chat's. Driven through its DOM by bench/metrics/*.ts.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { fromString, toString } from 'uint8arrays'

const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T

const output = byId('output')
const append = (line: string): void => { output.innerText += `${line}\n` }

const node = await createLibp2p({
  // a reservation on the relay it dials, and WebRTC upgrades over it
  addresses: { listen: ['/p2p-circuit', '/webrtc'] },
  transports: [webSockets(), webRTC(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // the example dials a relay on this machine: private addresses allowed
  connectionGater: { denyDialMultiaddr: () => false },
  services: { identify: identify(), pubsub: gossipsub(), dcutr: dcutr() }
})

byId('peer-id').innerText = node.peerId.toString()

node.addEventListener('self:peer:update', () => {
  byId('listening-addresses').replaceChildren(...node.getMultiaddrs().map(ma => {
    const li = document.createElement('li')
    li.textContent = ma.toString()
    return li
  }))
})

byId('dial-multiaddr-button').onclick = async () => {
  const ma = multiaddr(byId<HTMLInputElement>('dial-multiaddr-input').value)
  append(`Dialing '${ma}'`)
  await node.dial(ma)
  append(`Connected to '${ma}'`)
}

byId('subscribe-topic-button').onclick = () => {
  const topic = byId<HTMLInputElement>('subscribe-topic-input').value
  append(`Subscribing to '${topic}'`)
  node.services.pubsub.subscribe(topic)
  byId<HTMLInputElement>('send-topic-message-input').disabled = false
  byId<HTMLButtonElement>('send-topic-message-button').disabled = false
}

byId('send-topic-message-button').onclick = async () => {
  const topic = byId<HTMLInputElement>('subscribe-topic-input').value
  const message = byId<HTMLInputElement>('send-topic-message-input').value
  append(`Sending message '${message}'`)
  await node.services.pubsub.publish(topic, fromString(message))
}

setInterval(() => {
  const topic = byId<HTMLInputElement>('subscribe-topic-input').value
  byId('topic-peers').replaceChildren(...node.services.pubsub.getSubscribers(topic).map(peer => {
    const li = document.createElement('li')
    li.textContent = peer.toString()
    return li
  }))
}, 500)

node.services.pubsub.addEventListener('message', evt => {
  append(`Message received on topic '${evt.detail.topic}'`)
  append(toString(evt.detail.data))
})
