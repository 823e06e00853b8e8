// Fails when the production JavaScript is more than the budget, gzip-compressed (each file at level 9, summed).
// Run after `npm run build`. Usage: node scripts/check-size.mjs [budget in kB, 1 kB = 1000 bytes; default 250]

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const budgetKb = Number(process.argv[2] ?? 250)
const root = fileURLToPath(new URL('../../wwwroot/', import.meta.url))

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else yield path
  }
}

let scripts
try {
  scripts = [...files(root)].filter(path => /\.m?js$/.test(path))
} catch {
  console.error(`No build output in ${root}: run \`npm run build\` first.`)
  process.exit(1)
}
if (scripts.length === 0) {
  console.error(`No JavaScript in ${root}: run \`npm run build\` first.`)
  process.exit(1)
}

let raw = 0
let gzipped = 0
for (const path of scripts) {
  const bytes = readFileSync(path)
  const size = gzipSync(bytes, { level: 9 }).length
  raw += bytes.length
  gzipped += size
  console.log(`${relative(root, path).padEnd(40)} ${(bytes.length / 1000).toFixed(1).padStart(8)} kB  ${(size / 1000).toFixed(1).padStart(7)} kB gzip`)
}
const verdict = gzipped <= budgetKb * 1000 ? 'within' : 'OVER'
console.log(`${'total'.padEnd(40)} ${(raw / 1000).toFixed(1).padStart(8)} kB  ${(gzipped / 1000).toFixed(1).padStart(7)} kB gzip — ${verdict} the ${budgetKb} kB budget`)
process.exit(gzipped <= budgetKb * 1000 ? 0 : 1)
