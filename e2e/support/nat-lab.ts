/**
 * The browser NAT lab: network namespaces built by scripts/lab-net (inside tools/netns-run, so no packet
 * leaves the machine), with the real relay and a STUN/TURN server (coturn) on the lab's "public" network and
 * each browser host behind a NAT router of its own. Used by e2e/tests/nat.spec.ts and `pnpm bench --only
 * nat`; apps/cli/test/lab/README.md has the picture.
 *
 * ```
 * const lab = await NatLab.create({ nats: ['cone', 'symmetric'] })
 * try {
 *   const browser = await lab.browser('a', chromium) // a Chromium inside host a's namespace
 *   const page = await browser.newPage()
 *   await page.goto(lab.url)
 * } finally {
 *   await lab.destroy()
 * }
 * ```
 *
 * Imports name `.ts` files: bench/ loads this module with Node's own type stripping.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts'
import { RelayProcess } from './relay-process.ts'
import type { ChildProcess } from 'node:child_process'

const LAB_NET = fileURLToPath(new URL('../../scripts/lab-net', import.meta.url))

/** First three octets of the lab's "public" /24 (apps/cli/test/lab/README.md says why not a TEST-NET range). */
export const LAB_PUBLIC_NET = process.env.P2P_CHAT_LAB_PUBLIC_NET ?? '11.0.0'
/** The STUN/TURN port (UDP): coturn's, and the relay's own STUN server's by default. RFC 5780's "other" port is the next one. */
export const DEFAULT_STUN_PORT = 3478
/** Last octets of coturn's two public addresses (two, so that RFC 5780 tells NAT mapping behaviours apart). */
const COTURN_OCTETS = [10, 11] as const
/** The TURN relay ports coturn allocates from. */
const COTURN_RELAY_PORTS = [49152, 49999] as const
/** Browser hosts a lab can have (their routers' addresses, PUBLIC.2 …, stay below coturn's). */
const MAX_HOSTS = 8
const COTURN_START_TIMEOUT_MS = 10_000
const NAT_DISCOVERY_TIMEOUT_MS = 15_000
/** Longest a lab browser gets to close before `lab-net down` kills what is left. */
const BROWSER_CLOSE_TIMEOUT_MS = 10_000

/**
 * A home router: `cone` maps each inside socket to one outside port whatever the destination (hole punching
 * works); `symmetric` takes a new outside port for every destination (it cannot, without TURN). Both drop
 * unsolicited inbound packets. scripts/lab-net has the nftables rules.
 */
export type NatKind = 'cone' | 'symmetric'

/** Where browsers get STUN from: the relay's own server (`--stun-port`), or coturn's through `--ice-server`. */
export type StunSource = 'relay' | 'coturn'

/** Browsers ask the relay's own STUN server, as they do when a self-hoster runs the relay as it comes. */
export const DEFAULT_STUN_SOURCE: StunSource = 'relay'

/** Two browser hosts, each behind a cone router. */
export const DEFAULT_NATS: NatKind[] = ['cone', 'cone']

/** What {@link NatLab.create} builds. */
export interface NatLabInit {
  /** the router in front of each browser host, in order: hosts `a`, `b`, `c`… @default DEFAULT_NATS */
  nats?: NatKind[]
  /** where browsers get STUN from @default DEFAULT_STUN_SOURCE */
  stun?: StunSource
  /**
   * also hand browsers coturn as a TURN server: the relay mints coturn REST-API credentials from a shared
   * secret (`--ice-server turn:… --turn-secret-file`) @default false
   */
  turn?: boolean
  /** more arguments for the relay (e.g. `--web-root` for the benchmarks' harness page) @default [] */
  relayArgs?: string[]
}

/** A browser host of the lab. */
export interface LabHost {
  /** `a`, `b`, …: its namespace is `<prefix>-h<name>`, its router's `<prefix>-r<name>` */
  name: string
  nat: NatKind
  /** the router's public (WAN) address: what STUN tells the host, and what its peers see */
  routerIp: string
}

/** How a NAT maps one inside socket to outside ports (RFC 4787), as RFC 5780's test finds it. */
export type NatMapping = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent'

/** The lab cannot run here (not root, or a tool is missing). */
export class NatLabUnavailableError extends Error {
  static override name = 'NatLabUnavailableError'
  override name = 'NatLabUnavailableError'
}

/** Part of the lab did not come up, or a lab tool failed. */
export class NatLabError extends Error {
  static override name = 'NatLabError'
  override name = 'NatLabError'
}

/** What the lab needs of Playwright's `chromium` (from `@playwright/test` or `playwright-core`). */
export interface BrowserLauncher<B extends { close: () => Promise<void> }> {
  launch: (options: { executablePath: string, args: string[] }) => Promise<B>
}

function hasCommand (name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

/** Why the lab cannot run on this machine (as this user), or undefined when it can. */
export function natLabUnavailable (): string | undefined {
  if (process.getuid?.() !== 0) {
    return 'the NAT lab builds network namespaces: it needs root (./scripts/test runs it as root inside tools/netns-run)'
  }
  const missing = ['ip', 'nft', 'turnserver', 'turnutils_natdiscovery'].filter(name => !hasCommand(name))
  if (missing.length > 0) {
    return `the NAT lab needs ${missing.join(', ')}: apt-get install -y iproute2 nftables coturn (./scripts/test installs them)`
  }
  return undefined
}

/**
 * One lab: namespaces named `p2pc-<pid>-<random>-*` (scripts/lab-net gc removes those of dead processes), the
 * relay on PUBLIC.1, coturn on PUBLIC.10 and PUBLIC.11, host `a` behind router PUBLIC.2 on 10.1.0.0/24, host
 * `b` behind PUBLIC.3 on 10.2.0.0/24, and so on. {@link NatLab.destroy} removes it all; so does the process
 * exiting.
 */
export class NatLab {
  readonly prefix = `p2pc-${process.pid}-${randomBytes(3).toString('hex')}`
  readonly dir = mkdtempSync(join(tmpdir(), 'p2p-chat-natlab-'))
  readonly hosts: LabHost[]
  readonly relayIp = `${LAB_PUBLIC_NET}.1`
  readonly coturnIp = `${LAB_PUBLIC_NET}.${COTURN_OCTETS[0]}`
  readonly stun: StunSource
  readonly turn: boolean
  #relay?: RelayProcess
  private readonly turnSecret = randomBytes(24).toString('hex')
  private coturn?: ChildProcess
  private readonly browsers: Array<{ close: () => Promise<void> }> = []
  private destroyed = false
  private readonly onExit = (): void => { this.destroyNow() }

  private constructor (init: NatLabInit, nats: NatKind[]) {
    this.hosts = nats.map((nat, i) => ({ name: String.fromCharCode(97 + i), nat, routerIp: `${LAB_PUBLIC_NET}.${2 + i}` }))
    this.stun = init.stun ?? DEFAULT_STUN_SOURCE
    this.turn = init.turn ?? false
    process.on('exit', this.onExit)
  }

  /** Builds a lab and starts coturn and the relay in it. Rejects with {@link NatLabUnavailableError} or {@link NatLabError}. */
  static async create (init: NatLabInit = {}): Promise<NatLab> {
    const unavailable = natLabUnavailable()
    if (unavailable != null) {
      throw new NatLabUnavailableError(unavailable)
    }
    const nats = init.nats ?? DEFAULT_NATS
    if (nats.length > MAX_HOSTS) {
      throw new NatLabError(`a lab has at most ${MAX_HOSTS} hosts, not ${nats.length}`)
    }
    const lab = new NatLab(init, nats)
    try {
      await lab.build(init.relayArgs ?? [])
      return lab
    } catch (err) {
      await lab.destroy()
      throw err
    }
  }

  /** The real relay, in the "internet" namespace on {@link relayIp}. */
  get relay (): RelayProcess {
    if (this.#relay == null) {
      throw new NatLabError('the lab\'s relay has not started')
    }
    return this.#relay
  }

  /** The web app's URL, on the relay's public address. */
  get url (): string {
    return this.relay.url
  }

  /** A lab namespace's full name, e.g. `ns('ha')` for host a. */
  ns (name: string): string {
    return `${this.prefix}-${name}`
  }

  host (name: string): LabHost {
    const host = this.hosts.find(h => h.name === name)
    if (host == null) {
      throw new NatLabError(`the lab has no host ${name} (it has ${this.hosts.map(h => h.name).join(', ')})`)
    }
    return host
  }

  private labNet (...args: string[]): void {
    try {
      execFileSync(LAB_NET, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    } catch (err) {
      throw new NatLabError(`scripts/lab-net ${args.join(' ')} failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`)
    }
  }

  private async build (relayArgs: string[]): Promise<void> {
    this.labNet('gc')
    this.labNet('inet', this.prefix, LAB_PUBLIC_NET)
    this.labNet('public', this.prefix, 'turn', ...COTURN_OCTETS.map(o => `${LAB_PUBLIC_NET}.${o}`))
    for (const [i, host] of this.hosts.entries()) {
      this.labNet('nat', this.prefix, host.name, host.nat, host.routerIp, `10.${i + 1}.0`)
    }
    await this.startCoturn()
    const stun = this.stun === 'coturn'
      // coturn's STUN in place of the relay's own, which is kept off
      ? ['--ice-server', `stun:${this.coturnIp}:${DEFAULT_STUN_PORT}`, '--stun-port', '0']
      // the relay's own STUN server, on its default port as a self-hoster runs it (RelayProcess turns it off by default)
      : ['--stun-port', String(DEFAULT_STUN_PORT)]
    const turn = this.turn
      ? ['--ice-server', `turn:${this.coturnIp}:${DEFAULT_STUN_PORT}?transport=udp`, '--turn-secret-file', this.writeTurnSecret()]
      : []
    this.#relay = await RelayProcess.start(['--host', this.relayIp, ...stun, ...turn, ...relayArgs], { netns: this.ns('inet') })
  }

  private writeTurnSecret (): string {
    const file = join(this.dir, 'turn-secret')
    writeFileSync(file, this.turnSecret, { mode: 0o600 })
    return file
  }

  /**
   * coturn on the "turn" host: STUN (and RFC 5780 on its second address) for everyone; TURN for holders of
   * REST-API credentials minted from the lab's secret (`use-auth-secret`). No TLS, no CLI, logs in the lab dir.
   */
  private async startCoturn (): Promise<void> {
    const [ip, otherIp] = COTURN_OCTETS.map(o => `${LAB_PUBLIC_NET}.${o}`)
    const log = join(this.dir, 'coturn.log')
    const config = join(this.dir, 'turnserver.conf')
    writeFileSync(config, [
      `listening-ip=${ip}`, `listening-ip=${otherIp}`, `relay-ip=${ip}`, `listening-port=${DEFAULT_STUN_PORT}`,
      `min-port=${COTURN_RELAY_PORTS[0]}`, `max-port=${COTURN_RELAY_PORTS[1]}`, 'realm=p2p-chat.lab',
      'use-auth-secret', `static-auth-secret=${this.turnSecret}`, `userdb=${join(this.dir, 'coturn.sqlite')}`,
      'fingerprint', 'no-tls', 'no-dtls', 'no-tcp', 'no-tcp-relay', 'no-cli', 'no-stdout-log', 'verbose', 'simple-log',
      `log-file=${log}`, `pidfile=${join(this.dir, 'coturn.pid')}`
    ].join('\n') + '\n', { mode: 0o600 })
    this.coturn = spawn('ip', ['netns', 'exec', this.ns('turn'), 'turnserver', '-c', config], { stdio: 'ignore' })
    // verbose coturn logs each listener it opens; the last is the second address's "other" port
    const ready = `UDP listener opened on: ${otherIp}:${DEFAULT_STUN_PORT + 1}`
    const deadline = Date.now() + COTURN_START_TIMEOUT_MS
    while (!(existsSync(log) && readFileSync(log, 'utf8').includes(ready))) {
      if (this.coturn.exitCode != null || Date.now() > deadline) {
        throw new NatLabError(`coturn did not start (exit ${this.coturn.exitCode}):\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no log'}`)
      }
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  /**
   * The ICE servers the relay hands browsers in this lab, for a raw RTCPeerConnection beside the app (the
   * benchmarks' floor): the STUN server, and with `turn` coturn with credentials of its REST-API scheme
   * (username `<expiry>:<name>`, password base64 HMAC-SHA1 of it under the shared secret), valid an hour.
   * @param turn - include TURN (coturn always has the secret, whether the relay hands TURN out or not)
   */
  iceServers (turn = this.turn): Array<{ urls: string[], username?: string, credential?: string }> {
    const stunHost = this.stun === 'coturn' ? this.coturnIp : this.relayIp
    const servers: Array<{ urls: string[], username?: string, credential?: string }> = [{ urls: [`stun:${stunHost}:${DEFAULT_STUN_PORT}`] }]
    if (turn) {
      const username = `${Math.floor(Date.now() / 1000) + 3600}:floor`
      const credential = createHmac('sha1', this.turnSecret).update(username).digest('base64')
      servers.push({ urls: [`turn:${this.coturnIp}:${DEFAULT_STUN_PORT}?transport=udp`], username, credential })
    }
    return servers
  }

  /** Playwright launch options for a Chromium inside a host's namespace (a wrapper script runs it there). */
  launchOptions (hostName: string): { executablePath: string, args: string[] } {
    this.host(hostName)
    const wrapper = join(this.dir, `chromium-${hostName}`)
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.ns(`h${hostName}`)} ${CHROMIUM_PATH} "$@"\n`, { mode: 0o755 })
    return {
      executablePath: wrapper,
      // a plain-http page from a non-loopback host is no secure context: the app's crypto needs one
      args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${new URL(this.url).origin}`]
    }
  }

  /** Launches a Chromium inside a host's namespace; the lab closes it on {@link destroy}. */
  async browser<B extends { close: () => Promise<void> }> (hostName: string, chromium: BrowserLauncher<B>): Promise<B> {
    const browser = await chromium.launch(this.launchOptions(hostName))
    this.browsers.push(browser)
    return browser
  }

  /**
   * How a host's router maps its sockets, by RFC 5780's test (coturn's `turnutils_natdiscovery -m` against
   * coturn's two addresses): a cone router should say endpoint-independent, a symmetric one not.
   */
  mapping (hostName: string): NatMapping {
    this.host(hostName)
    const run = spawnSync('ip', ['netns', 'exec', this.ns(`h${hostName}`), 'turnutils_natdiscovery', '-m', this.coturnIp], {
      encoding: 'utf8', timeout: NAT_DISCOVERY_TIMEOUT_MS
    })
    const verdict = /NAT with (Endpoint Independent|Address Dependent|Address and Port Dependent) Mapping/.exec(run.stdout ?? '')?.[1]
    if (verdict == null) {
      throw new NatLabError(`turnutils_natdiscovery found no mapping behaviour for host ${hostName}:\n${run.stdout}${run.stderr}`)
    }
    return verdict.toLowerCase().replace(/ /g, '-') as NatMapping
  }

  /** Closes the browsers, stops the relay and coturn, deletes the namespaces and the lab's files. */
  async destroy (): Promise<void> {
    if (this.destroyed) {
      return
    }
    const closing = this.browsers.splice(0).map(async b => {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([b.close(), new Promise(resolve => { timer = setTimeout(resolve, BROWSER_CLOSE_TIMEOUT_MS) })]).catch(() => {})
      clearTimeout(timer)
    })
    await Promise.all(closing)
    await this.#relay?.dispose()
    this.destroyNow()
  }

  /** Synchronously: whatever still runs in the lab is killed and the namespaces go (also on process exit). */
  private destroyNow (): void {
    if (this.destroyed) {
      return
    }
    this.destroyed = true
    process.off('exit', this.onExit)
    this.#relay?.killNow()
    this.coturn?.kill('SIGKILL')
    try {
      execFileSync(LAB_NET, ['down', this.prefix], { stdio: 'ignore' })
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
