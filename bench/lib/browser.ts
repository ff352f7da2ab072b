import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium.ts'
import type { Browser } from 'playwright-core'

/** Debian's Chromium (or CHROMIUM_PATH), with the flags that keep it off the network. */
export async function launchChromium (extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] })
}
