import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { MetricsBranchNotFoundError, withoutGossipsubMetrics } from './gossipsub-metrics.js'

/** The gossipsub module the web app bundles, as installed. */
async function installedGossipsub (): Promise<{ code: string, path: string }> {
  const path = fileURLToPath(new URL('../node_modules/@libp2p/gossipsub/dist/src/gossipsub.js', import.meta.url))
  return { code: await readFile(path, 'utf8'), path }
}

describe('gossipsub without its metrics', () => {
  it('takes out the installed gossipsub\'s only call of its metrics factory', async () => {
    const { code, path } = await installedGossipsub()
    expect(code).toMatch(/getMetrics\(options\.metricsRegister/)

    const out = withoutGossipsubMetrics(code, path)
    // the call is still there, in a branch that cannot run: the bundler drops it and the factory's module
    expect(out).toMatch(/if \(false\) \{\s*if \(options\.metricsTopicStrToLabel == null\)/)
    expect(out).toContain('gossipsub metrics are not in this build of the web app')
    expect(out.length - code.length).toBeLessThan(200)
  })

  it('fails the build when gossipsub no longer has the branch', () => {
    expect(() => withoutGossipsubMetrics('export class GossipSub {}', 'gossipsub.js')).toThrow(MetricsBranchNotFoundError)
  })
})
