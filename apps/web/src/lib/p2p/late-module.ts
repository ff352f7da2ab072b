/**
 * A module the page loads only when asked to, once: the parts of the node a room does not need to be shown
 * and chatted in (see `extras.ts`). Services that depend on it wait on {@link LateModule.loaded}.
 */
export class LateModule<T> {
  readonly loaded: Promise<T>
  private readonly importer: () => Promise<T>
  private resolve!: (module: T) => void
  private reject!: (err: Error) => void
  private started = false

  constructor (importer: () => Promise<T>) {
    this.importer = importer
    this.loaded = new Promise<T>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    // nobody may be waiting when the import fails: the failure still reaches whoever waits later
    this.loaded.catch(() => {})
  }

  /** Starts loading the module (the first call; later ones wait for the same load). */
  async load (): Promise<T> {
    if (!this.started) {
      this.started = true
      this.importer().then(this.resolve, this.reject)
    }
    return this.loaded
  }
}
