import { describe, expect, it } from 'vitest'
import { ROOM_TOPIC_PREFIX } from '../src/constants.js'
import { createRoomId, isRoomId, parseRoomId, parseRoute, roomIdFromTopic, roomPath, roomTopic } from '../src/room.js'

describe('rooms', () => {
  it('creates distinct valid room ids', () => {
    const id = createRoomId()
    expect(id).toMatch(/^[a-z2-7]{26}$/)
    expect(isRoomId(id)).toBe(true)
    expect(createRoomId()).not.toBe(id)
  })

  it('derives the topic from the id and back', () => {
    const id = createRoomId()
    expect(roomTopic(id)).toBe(`${ROOM_TOPIC_PREFIX}${id}`)
    expect(roomIdFromTopic(roomTopic(id))).toBe(id)
    expect(roomIdFromTopic('/other/topic')).toBeUndefined()
    expect(roomIdFromTopic(`${ROOM_TOPIC_PREFIX}NOT-AN-ID`)).toBeUndefined()
  })

  it('refuses invalid ids with InvalidRoomIdError', () => {
    expect(() => parseRoomId('abc')).toThrow(expect.objectContaining({ name: 'InvalidRoomIdError' }))
    expect(() => roomTopic('ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toThrow(expect.objectContaining({ name: 'InvalidRoomIdError' }))
  })

  it('parses routes: home, room, and invalid links', () => {
    const id = createRoomId()
    expect(parseRoute('/')).toEqual({ page: 'home' })
    expect(parseRoute(roomPath(id))).toEqual({ page: 'room', roomId: id })
    expect(parseRoute(`${roomPath(id)}/`)).toEqual({ page: 'room', roomId: id })
    expect(parseRoute('/r/short').page).toBe('invalid')
    expect(parseRoute('/r/%E0%A4%A').page).toBe('invalid')
    expect(parseRoute('/nope').page).toBe('invalid')
  })
})
