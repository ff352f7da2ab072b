import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { OPTIONS, optionHelp } from '../src/config.js'

const GUIDE = fileURLToPath(new URL('../../../docs/SELF-HOSTING.md', import.meta.url))
const START = '<!-- flags:start (generated from OPTIONS in apps/relay/src/config.ts: UPDATE_DOCS=1 pnpm --filter @p2p-chat/relay exec vitest run test/docs.spec.ts) -->'
const END = '<!-- flags:end -->'

/** The guide's table of every option, from the same list `--help` prints. */
function flagsTable (): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
  return [
    '| flag | environment variable | config file key | what (default) |',
    '| --- | --- | --- | --- |',
    ...Object.entries(OPTIONS).map(([name, spec]) =>
      `| \`--${name}\`${spec.multiple === true ? ' (repeatable)' : ''} | \`${spec.env}\` | ${name === 'config' ? '–' : `\`"${name}"\``} | ${cell(optionHelp(spec))} |`)
  ].join('\n')
}

describe('docs/SELF-HOSTING.md', () => {
  it('lists every option the relay has, as --help does', () => {
    const guide = readFileSync(GUIDE, 'utf8')
    const start = guide.indexOf(START)
    const end = guide.indexOf(END)
    expect(start, 'the guide marks where its table of options goes').toBeGreaterThanOrEqual(0)
    expect(end).toBeGreaterThan(start)
    const table = `${START}\n${flagsTable()}\n${END}`
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(GUIDE, guide.slice(0, start) + table + guide.slice(end + END.length))
      return
    }
    expect(guide.slice(start, end + END.length), 'regenerate the table: UPDATE_DOCS=1 … test/docs.spec.ts').toBe(table)
  })
})

describe('docs/PROTOCOL.md', () => {
  it('states each limit\'s default as the option table has it', () => {
    const protocol = readFileSync(fileURLToPath(new URL('../../../docs/PROTOCOL.md', import.meta.url)), 'utf8')
    // the limits table's rows whose defaults are plain numbers: "| what (`--a`, `--b`) | 16 / 8 | … |"
    const rows = protocol.split('\n').filter(line => /^\| .*`--[a-z-]+`.*\| [\d ,/]+ \|/.test(line))
    expect(rows.length, 'rows of the limits table with plain numbers').toBeGreaterThanOrEqual(8)
    for (const row of rows) {
      const [what, defaults] = row.split('|').slice(1, 3) as [string, string]
      // the options the row names in its first parentheses (its prose may name others)
      const named = /\(([^)]*`--[^)]*)\)/.exec(what)?.[1] ?? ''
      const flags = [...named.matchAll(/`--([a-z-]+)`/g)].map(m => m[1]!)
      const stated = defaults.split(/[,/]/).map(v => v.trim())
      expect(stated, row).toEqual(flags.map(flag => OPTIONS[flag]?.default))
    }
  })
})
