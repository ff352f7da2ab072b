/** A command-line flag has a bad value. */
export class CliConfigError extends Error {
  static override name = 'CliConfigError'
  override name = 'CliConfigError'
}
