/** A small SVG line chart: panels stacked over one x axis, drawn from the data with no library. */

import { escapeHtml } from '@p2p-chat/shared/protocol'

export interface ChartLine {
  name: string
  color: string
  points: Array<[x: number, y: number]>
  /** draw the points as dots, not joined */
  dots?: boolean
}

export interface ChartPanel {
  title: string
  lines: ChartLine[]
  /** the y axis's range; by default from 0 (or the data's minimum if below) to a round number above the data */
  min?: number
  max?: number
  /** a dashed horizontal line, e.g. a target */
  mark?: { y: number, label: string }
}

export interface ChartInit {
  title: string
  xLabel: string
  /** the x axis runs from 0 to this */
  xMax: number
  /** a vertical tick and grid line every this many x units */
  xStep: number
}

const WIDTH = 760
const PANEL_HEIGHT = 120
const GAP = 46
const LEFT = 64
const RIGHT = 150
const TOP = 40

/** 1, 2 or 5 times a power of ten, at least `value`. */
function roundUp (value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return [1, 2, 5, 10].map(m => m * power).find(v => v >= value)!
}

function label (value: number): string {
  return Math.abs(value) >= 100 || Number.isInteger(value) ? value.toFixed(0) : value.toPrecision(3)
}

/** The chart as an SVG document. */
export function svgChart (init: ChartInit, panels: ChartPanel[]): string {
  const plotWidth = WIDTH - LEFT - RIGHT
  const height = TOP + panels.length * (PANEL_HEIGHT + GAP) + 10
  const x = (value: number): number => LEFT + value / init.xMax * plotWidth
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeHtml(init.title)}</text>`
  ]
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL_HEIGHT + GAP) + 16
    const values = panel.lines.flatMap(l => l.points.map(p => p[1])).filter(Number.isFinite)
    const min = panel.min ?? Math.min(0, ...values)
    const max = panel.max ?? roundUp(Math.max(...values, min + 1e-9, panel.mark?.y ?? -Infinity))
    const y = (value: number): number => top + PANEL_HEIGHT - (value - min) / (max - min) * PANEL_HEIGHT
    out.push(`<text x="${LEFT}" y="${top - 6}" font-weight="bold">${escapeHtml(panel.title)}</text>`)
    for (let t = 0; t <= 4; t++) {
      const value = min + (max - min) * t / 4
      out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
        `<text x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${label(value)}</text>`)
    }
    for (let t = 0; t <= init.xMax; t += init.xStep) {
      out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${top + PANEL_HEIGHT}" stroke="#eee"/>`,
        `<text x="${x(t)}" y="${top + PANEL_HEIGHT + 14}" text-anchor="middle">${label(t)}</text>`)
    }
    if (panel.mark != null) {
      out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(panel.mark.y)}" y2="${y(panel.mark.y)}" stroke="#c00" stroke-dasharray="4 3"/>`,
        // below the line, inside the plot: clear of the panel's title and of the legend
        `<text x="${LEFT + 4}" y="${y(panel.mark.y) + 12}" fill="#c00">${escapeHtml(panel.mark.label)}</text>`)
    }
    panel.lines.forEach((line, j) => {
      const points = line.points.filter(p => Number.isFinite(p[1]))
      if (line.dots === true) {
        out.push(...points.map(p => `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${line.color}"/>`))
      } else if (points.length > 0) {
        out.push(`<polyline fill="none" stroke="${line.color}" stroke-width="1.5" points="${points.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ')}"/>`)
      }
      out.push(`<text x="${LEFT + plotWidth + 6}" y="${top + 12 + j * 14}" fill="${line.color}">${escapeHtml(line.name)}</text>`)
    })
    out.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#999"/>`)
  })
  out.push(`<text x="${LEFT + plotWidth / 2}" y="${height - 4}" text-anchor="middle">${escapeHtml(init.xLabel)}</text>`, '</svg>')
  return out.join('\n') + '\n'
}
