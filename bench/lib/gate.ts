/**
 * Holds loops back while closed (the soak's quiet moments): `passed()` resolves at once while the gate is open,
 * and when it opens again otherwise.
 */
export class Gate {
  private opened: Promise<void> = Promise.resolve()
  private release?: () => void

  get closed (): boolean {
    return this.release != null
  }

  close (): void {
    if (this.release == null) {
      this.opened = new Promise(resolve => { this.release = resolve })
    }
  }

  open (): void {
    this.release?.()
    this.release = undefined
  }

  async passed (): Promise<void> {
    await this.opened
  }
}
