/** A command-line flag or environment variable has a bad value. */
export class ConfigError extends Error {
  static override name = 'ConfigError'
  override name = 'ConfigError'
}

/** The web app's built files are not where the relay was told to find them. */
export class WebRootMissingError extends Error {
  static override name = 'WebRootMissingError'
  override name = 'WebRootMissingError'
}
