import { randomUUID } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'

/**
 * For the build rewrites' tests: the installed module at `path`, rewritten by `rewrite`, imported as the page would
 * run it. The rewritten copy is written beside the original (so that its own imports resolve as in the build),
 * handed to `use`, and removed afterwards.
 */
export async function withRewrittenModule<M, T> (path: string, rewrite: (code: string, id: string) => string, use: (module: M) => Promise<T>): Promise<T> {
  const copy = path.replace(/\.js$/, `.test-${randomUUID()}.js`)
  await writeFile(copy, rewrite(await readFile(path, 'utf8'), path))
  try {
    return await use(await import(/* @vite-ignore */ copy) as M)
  } finally {
    await rm(copy)
  }
}
