import { describe, expect, it } from 'vitest'
import { LateModule } from './late-module.js'
import { LateService } from './late-service.js'

/** A stand-in for a late part: notes when it starts (when a real one registers its protocol handler). */
class Part {
  readonly events: string[]
  constructor (events: string[]) { this.events = events }
  start (): void { this.events.push('started') }
  stop (): void { this.events.push('stopped') }
}

describe('LateService', () => {
  it('runs what attaches to a late part once it is made and before it starts, even when that code loads slowly', async () => {
    const events: string[] = []
    const module = new LateModule(async () => ({ make: () => new Part(events) }))
    const service = new LateService(module, m => m.make())
    service.prepare(async part => {
      // the page's state is a chunk of its own: the part must not take anything from a peer before it is in
      await new Promise(resolve => setTimeout(resolve, 20))
      part.events.push('listening')
    })
    service.start()
    await module.load()
    await service.load()
    expect(events).toEqual(['listening', 'started'])
  })

  it('a part already made is handed over at once; a failing preparation does not keep the part from starting', async () => {
    const events: string[] = []
    const module = new LateModule(async () => ({ make: () => new Part(events) }))
    const service = new LateService(module, m => m.make())
    service.prepare(async () => { throw new Error('the chunk did not load') })
    service.start()
    await module.load()
    const part = await service.load()
    expect(events).toEqual(['started'])
    const handed = new Promise<Part>(resolve => { service.prepare(async made => { resolve(made) }) })
    expect(await handed).toBe(part)
  })
})
