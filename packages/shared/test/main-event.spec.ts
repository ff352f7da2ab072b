import { getEventListeners } from 'node:events'
import { TypedEventEmitter } from 'main-event'
import { describe, expect, it } from 'vitest'

interface Events {
  tick: CustomEvent<number>
}

describe('main-event, as every libp2p stream and connection uses it (the main-event patch)', () => {
  it('registers a plain listener with the native EventTarget as it is: no wrapper or closures kept per listener', () => {
    const target = new TypedEventEmitter<Events>()
    const seen: number[] = []
    const listener = (evt: CustomEvent<number>): void => { seen.push(evt.detail) }
    target.addEventListener('tick', listener)
    target.addEventListener('tick', listener)
    expect(getEventListeners(target, 'tick')).toEqual([listener])
    expect(target.listenerCount('tick')).toBe(1)
    target.safeDispatchEvent('tick', { detail: 1 })
    target.removeEventListener('tick', listener)
    target.safeDispatchEvent('tick', { detail: 2 })
    expect(seen).toEqual([1])
    expect(getEventListeners(target, 'tick')).toEqual([])
    expect(target.listenerCount('tick')).toBe(0)
  })

  it('still calls a once listener once, an object\'s handleEvent on the object, and drops a listener whose signal aborts', () => {
    const target = new TypedEventEmitter<Events>()
    const once: number[] = []
    target.addEventListener('tick', evt => { once.push(evt.detail) }, { once: true })
    const handler = { seen: [] as number[], handleEvent (evt: CustomEvent<number>) { this.seen.push(evt.detail) } }
    target.addEventListener('tick', handler)
    const controller = new AbortController()
    const signalled: number[] = []
    target.addEventListener('tick', evt => { signalled.push(evt.detail) }, { signal: controller.signal })
    // the same function with and without capture is two listeners
    const both: number[] = []
    const listener = (evt: CustomEvent<number>): void => { both.push(evt.detail) }
    target.addEventListener('tick', listener)
    target.addEventListener('tick', listener, { capture: true })
    expect(target.listenerCount('tick')).toBe(5)

    target.safeDispatchEvent('tick', { detail: 1 })
    controller.abort()
    target.removeEventListener('tick', listener, { capture: true })
    target.safeDispatchEvent('tick', { detail: 2 })
    expect(once).toEqual([1])
    expect(handler.seen).toEqual([1, 2])
    expect(signalled).toEqual([1])
    expect(both).toEqual([1, 1, 2])
    expect(target.listenerCount('tick')).toBe(2)
    expect(getEventListeners(controller.signal, 'abort')).toEqual([])
  })
})
