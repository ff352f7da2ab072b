import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

/** Bytes a process has written (all fds: sockets included), from /proc/<pid>/io. */
export function bytesWritten (pid: number): number {
  const line = readFileSync(`/proc/${pid}/io`, 'utf8').split('\n').find(l => l.startsWith('wchar:'))
  return Number(line?.split(/\s+/)[1] ?? Number.NaN)
}

/** CPU time and memory of a process, from /proc. */
export interface ProcessStats {
  /** user + system CPU time so far, in seconds */
  cpuSeconds: number
  /** resident set size, in bytes */
  rssBytes: number
}

let clockTicks: number | undefined

/** Reads utime + stime (/proc/<pid>/stat) and VmRSS (/proc/<pid>/status) of a live process. Linux only. */
export async function readProcessStats (pid: number): Promise<ProcessStats> {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN)
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks, rssBytes: rssKiB * 1024 }
}
