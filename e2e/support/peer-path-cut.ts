import { execFileSync, spawnSync } from 'node:child_process'

/** The address `tools/netns-run` gives its namespace's veth pair (10.77.0.1/24 ↔ 10.77.0.2/24). */
const NETNS_RUN_NET = '10.77.0.0/24'
const NETNS_RUN_ADDR = '10.77.0.1/24'
/** The nftables table the cut lives in (removed whole to restore the path). */
const TABLE = 'p2p_chat_e2e_cut'

/**
 * Cuts, for real, the network path two browsers' WebRTC connection takes, and mends it: inside the private
 * namespace of `tools/netns-run` (the only place the e2e suite may use WebRTC on the build machines), every
 * WebRTC candidate is an address of the namespace's veth pair, while the relay is on 127.0.0.1. An nftables
 * rule drops UDP between the veth addresses: the browsers' direct connection stops carrying packets (as when a
 * Wi-Fi drops), their connections to the relay do not.
 */
export class PeerPathCut {
  /** Why a cut cannot be made here (not root, no nft, not inside netns-run's namespace), or undefined. */
  static unavailable (): string | undefined {
    if (process.getuid?.() !== 0) {
      return 'cutting the peers\' path needs root (nftables)'
    }
    if (spawnSync('sh', ['-c', 'command -v nft']).status !== 0) {
      return 'cutting the peers\' path needs nft: apt-get install -y nftables (./scripts/test installs it)'
    }
    const addrs = spawnSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? ''
    if (!addrs.includes(NETNS_RUN_ADDR)) {
      return 'cutting the peers\' path runs only inside tools/netns-run\'s namespace (it would drop traffic on this machine\'s own network)'
    }
    return undefined
  }

  private cut = false

  /** Drops every UDP packet between the namespace's veth addresses from now on. */
  drop (): void {
    execFileSync('nft', ['-f', '-'], {
      input: `table ip ${TABLE} {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr ${NETNS_RUN_NET} ip daddr ${NETNS_RUN_NET} meta l4proto udp drop
  }
}
`
    })
    this.cut = true
  }

  /** Lets the packets through again (nothing if no cut is in place). */
  mend (): void {
    if (this.cut) {
      execFileSync('nft', ['delete', 'table', 'ip', TABLE])
      this.cut = false
    }
  }
}
