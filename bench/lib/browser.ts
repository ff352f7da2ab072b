import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** Debian's Chromium (or CHROMIUM_PATH), with the flags that keep it off the network. */
export async function launchChromium (extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-gpu', ...extraArgs
    ]
  })
}
