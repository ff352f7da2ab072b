import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { loadOrCreateSelfKey } from '@libp2p/config'
import { LevelDatastore } from 'datastore-level'
import type { PrivateKey } from '@libp2p/interface'

export interface RelayStore {
  /** the relay's LevelDB datastore: keychain (its identity) and libp2p's peer store */
  datastore: LevelDatastore
  /** the relay's private key: loaded from the datastore, or created and stored there on first start */
  privateKey: PrivateKey
}

/** Opens the relay's datastore in `dataDir` and loads (or creates) its persistent identity. */
export async function openRelayStore (dataDir: string): Promise<RelayStore> {
  await mkdir(dataDir, { recursive: true })
  const datastore = new LevelDatastore(join(dataDir, 'datastore'))
  await datastore.open()
  const privateKey = await loadOrCreateSelfKey(datastore)
  return { datastore, privateKey }
}
