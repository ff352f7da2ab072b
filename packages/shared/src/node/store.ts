import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { loadOrCreateSelfKey } from '@libp2p/config'
import { LevelDatastore } from 'datastore-level'
import type { PrivateKey } from '@libp2p/interface'

/**
 * @packageDocumentation
 *
 * Node-only helpers (`@p2p-chat/shared/node`), for the relay and Node peers: never imported by the web app.
 */

export interface NodeStore {
  /** the node's LevelDB datastore: keychain (its identity) and libp2p's peer store */
  datastore: LevelDatastore
  /** the node's private key: loaded from the datastore, or created and stored there on first start */
  privateKey: PrivateKey
}

/** Opens a Node peer's datastore in `dataDir` and loads (or creates) its persistent identity. */
export async function openNodeStore (dataDir: string): Promise<NodeStore> {
  await mkdir(dataDir, { recursive: true })
  const datastore = new LevelDatastore(join(dataDir, 'datastore'))
  await datastore.open()
  const privateKey = await loadOrCreateSelfKey(datastore)
  return { datastore, privateKey }
}
