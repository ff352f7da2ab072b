import { StringDecoder } from 'node:string_decoder'
import type { Readable } from 'node:stream'

/**
 * C0 control characters (ESC among them), DEL and C1 control characters (CSI, OSC, ST among them): a terminal acts
 * on them and on the sequences they start, which could clear the screen, move the cursor to rewrite earlier
 * lines, set the window title or write the clipboard (OSC 52).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g

/** Unicode's visible stand-ins for C0 controls (U+2400 + code) and DEL (U+2421); C1 controls have none. */
function standIn (char: string): string {
  const code = char.charCodeAt(0)
  if (code === 0x09) return ' '
  if (code < 0x20) return String.fromCharCode(0x2400 + code)
  if (code === 0x7f) return '\u2421'
  return '\ufffd'
}

/**
 * Text from the network (names, chat lines, addresses) made safe to print: every control character is shown as
 * a visible stand-in (ESC as ␛, a line feed as ␊, a tab as a space, a C1 control as �), so no escape sequence
 * reaches the terminal and one message cannot print as several lines.
 */
export function printable (text: string): string {
  return text.replace(CONTROL_CHARACTERS, standIn)
}

/**
 * Reads the first line of `input`, without its line break, and leaves the rest unread for whoever reads it
 * next (the chat prompt). Resolves to `undefined` if the input ends empty.
 */
export async function readFirstLine (input: Readable): Promise<string | undefined> {
  const decoder = new StringDecoder('utf8')
  let text = ''
  for (;;) {
    const chunk = input.read() as Buffer | string | null
    if (chunk != null) {
      text += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      const end = text.indexOf('\n')
      if (end >= 0) {
        const rest = text.slice(end + 1)
        if (rest !== '') {
          input.unshift(Buffer.from(rest, 'utf8'))
        }
        return text.slice(0, end).replace(/\r$/, '')
      }
      continue
    }
    if (input.readableEnded || input.destroyed) {
      break
    }
    await new Promise<void>(resolve => {
      const next = (): void => {
        input.off('readable', next)
        input.off('end', next)
        input.off('close', next)
        resolve()
      }
      input.on('readable', next)
      input.on('end', next)
      input.on('close', next)
    })
  }
  text += decoder.end()
  return text === '' ? undefined : text
}
