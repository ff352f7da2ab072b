import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FILE_CHUNK_BYTES } from '../../src/file/index.js'
import { openFileSink, openFileSource } from '../../src/node/index.js'
import { filesNode, randomFile, sha256 } from '../file/helpers.js'
import type { FilesNode } from '../file/helpers.js'

const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'

describe('files on disk (Node)', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step()
    }
  })

  it('serves a file from disk and fetches it to disk; a file left half-fetched resumes after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-files-'))
    cleanup.push(async () => { await rm(dir, { recursive: true }) })
    const nodes: FilesNode[] = [await filesNode(), await filesNode()]
    cleanup.push(async () => { await Promise.all(nodes.map(async n => n.stop())) })
    const [alice, bob] = nodes as [FilesNode, FilesNode]
    await bob.dial(alice.getMultiaddrs())

    const bytes = randomFile(3 * FILE_CHUNK_BYTES + 99)
    await writeFile(join(dir, 'photo.jpg'), bytes)
    const source = await openFileSource(join(dir, 'photo.jpg'))
    cleanup.push(async () => { await source.close() })
    const id = await alice.services.files.serve(source, { topic })
    expect(id).toBe(sha256(bytes))

    const target = join(dir, 'fetched.jpg')
    const sink = await openFileSink(target)
    await bob.services.files.fetch(alice.peerId, { id, topic, sink })
    await sink.close()
    expect(sha256(await readFile(target))).toBe(id)

    // as if a fetch had stopped one chunk and a bit in, and the process ended
    await truncate(target, FILE_CHUNK_BYTES + 10)
    const again = await openFileSink(target)
    cleanup.push(async () => { await again.close() })
    expect(await again.size()).toBe(FILE_CHUNK_BYTES + 10)
    const resumed = await bob.services.files.fetch(alice.peerId, { id, topic, sink: again })
    expect(resumed.offset).toBe(FILE_CHUNK_BYTES)
    expect(sha256(await readFile(target))).toBe(id)
  })
})
