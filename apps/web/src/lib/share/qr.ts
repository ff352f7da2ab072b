/**
 * The room link as a QR code, drawn as SVG by `qrcode` (loaded on first use: the first screen does not need it).
 * The same options are used by the e2e test to check what the code says.
 */
export const QR_OPTIONS = { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } } as const

/** An SVG image of `text` as a QR code, as a data URL (for an <img>: nothing is parsed into the page). */
export async function qrCodeDataUrl (text: string): Promise<string> {
  const { toString } = await import('qrcode')
  const svg = await toString(text, QR_OPTIONS)
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
