import { freePorts } from '@p2p-chat/shared/testing/ports'
import { expect, test } from '../support/fixtures.js'
import { RelayProcess } from '../support/relay-process.js'

// the app's own browsers keep an empty ICE server list on loopback; this raw RTCPeerConnection does not
test('Chromium learns its address from the relay\'s own STUN responder, which /api/relay names', async ({ browser }) => {
  const [port] = await freePorts(1)
  const relay = await RelayProcess.start(['--stun-port', String(port!)])
  const page = await browser.newPage()
  try {
    await page.goto(relay.url)
    const { iceServers, candidates } = await page.evaluate(async () => {
      const { iceServers } = await (await fetch('/api/relay')).json() as { iceServers: RTCIceServer[] }
      const pc = new RTCPeerConnection({ iceServers })
      pc.createDataChannel('probe')
      const candidates: string[] = []
      const gathered = new Promise<void>(resolve => {
        pc.onicecandidate = evt => {
          if (evt.candidate == null) resolve()
          else candidates.push(evt.candidate.candidate)
        }
      })
      await pc.setLocalDescription()
      await gathered
      pc.close()
      return { iceServers, candidates }
    })
    expect(iceServers).toEqual([{ urls: [`stun:127.0.0.1:${port}`] }])
    // a server-reflexive candidate: the relay answered Chromium's Binding request with its address and port
    expect(candidates.filter(c => c.includes(' typ srflx '))).toHaveLength(1)
    const metrics = await (await fetch(relay.metricsUrl)).text()
    expect(metrics).toMatch(/^p2p_chat_relay_stun_requests_total\{result="answered"\} [1-9]/m)
  } finally {
    await page.close()
    await relay.dispose()
  }
})
