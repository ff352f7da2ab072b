import { moduleRewrite } from './module-rewrite.js'
import type { Plugin } from 'vite'

/** The module of gossipsub's that builds its metrics, when given a register. */
const GOSSIPSUB_MODULE = /[\\/]@libp2p[\\/]gossipsub[\\/]dist[\\/]src[\\/]gossipsub\.js$/

/** The branch of gossipsub's constructor that builds them. */
const METRICS_BRANCH = 'if (options.metricsRegister != null) {'

/** Gossipsub's code has no longer the branch this build takes out: an update moved it; look again. */
export class MetricsBranchNotFoundError extends Error {
  static override name = 'MetricsBranchNotFoundError'
  override name = 'MetricsBranchNotFoundError'
}

/**
 * Takes gossipsub's metrics out of the page: gossipsub builds its Prometheus metrics (`metrics.js`: ~60 gauges
 * and histograms, with their names and help texts, ~4 KiB gzip) only when given a `metricsRegister`, which the
 * web app never passes, but a bundler cannot know that and kept them in the page's first script. The branch that
 * builds them throws here instead ("not in this build"), so the code it calls is left out. The build fails if
 * the branch is not found.
 */
export function withoutGossipsubMetrics (code: string, id: string): string {
  if (!code.includes(METRICS_BRANCH)) {
    throw new MetricsBranchNotFoundError(`${id} has no "${METRICS_BRANCH}": gossipsub changed, and its metrics would stay in the page`)
  }
  return code.replace(METRICS_BRANCH, `if (options.metricsRegister != null) { throw new Error('gossipsub metrics are not in this build of the web app') } if (false) {`)
}

/** The Vite plugin applying {@link withoutGossipsubMetrics} to gossipsub's module. */
export function gossipsubWithoutMetrics (): Plugin {
  return moduleRewrite('p2p-chat-gossipsub-without-metrics', GOSSIPSUB_MODULE, withoutGossipsubMetrics)
}
