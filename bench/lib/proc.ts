import { readFileSync } from 'node:fs'

/** Bytes a process has written (all fds: sockets included), from /proc/<pid>/io. */
export function bytesWritten (pid: number): number {
  const line = readFileSync(`/proc/${pid}/io`, 'utf8').split('\n').find(l => l.startsWith('wchar:'))
  return Number(line?.split(/\s+/)[1] ?? Number.NaN)
}
