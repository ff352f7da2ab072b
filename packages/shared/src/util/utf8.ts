const encoder = new TextEncoder()

/** How many bytes `value` takes in UTF-8: what every limit on text in the protocol counts. */
export function utf8Length (value: string): number {
  return encoder.encode(value).byteLength
}
