/**
 * The browser every e2e test and benchmark runs: Debian's Chromium (or CHROMIUM_PATH), with the flags that keep
 * it off the network. Shared by playwright.config.ts, the NAT lab (nat-lab.ts) and bench/lib/browser.ts.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  // Chromium's own omnibox popup (a WebUI page) loads in every new browser context: ~0.7 s of a core each time,
  // beside the page under test, on a 2-core machine (seen in a trace of a benchmark's join)
  '--disable-features=WebUIOmniboxPopup,PreloadTopChromeWebUI'
]
