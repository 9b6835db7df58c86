// Replays queries through static/search/engine.js in Node against an index on disk (prints figures; not a
// test): what each query fetches, and its bytes as the shared harness counts them (a JSON file gzipped at
// level 6 when over 256 bytes, binary files as they are, plus about 170 bytes of response headers each).
//
//   node benchmarks/search_replay.mjs SITE_DIR QUERIES.txt [--out results.json] [--files] [--engine FILE]
//
// QUERIES.txt: one query a line; the first is the cold one (manifest included). The engine's state is kept
// from query to query, as in one browser session. --out writes every query's URLs (in rank order), bytes,
// ms and fetched files, so that two index layouts can be compared result for result (--engine: another
// engine.js, e.g. an older commit's, for the index it wrote). Times are Node's,
// not a browser's: use them to compare layouts, and the harness (benchmarks/search_speed.py) for figures.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const HEADER = 170;
const [site, queryFile, ...rest] = process.argv.slice(2);
const outAt = rest.indexOf("--out");
const showFiles = rest.includes("--files");
const here = new URL(".", import.meta.url).pathname;
const engineAt = rest.indexOf("--engine");
const enginePath = engineAt >= 0 ? rest[engineAt + 1] : join(here, "..", "static", "search", "engine.js");
const { Engine } = await import(pathToFileURL(enginePath));

let fetched = [];
const load = async (path, kind) => {
  const data = readFileSync(join(site, path));
  const bytes = kind === "json" && data.length > 256 ? gzipSync(data, { level: 6 }).length : data.length;
  fetched.push([path.replace("/search/i/", ""), bytes + HEADER]);
  if (kind === "json") return JSON.parse(data.toString("utf8"));
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
};

const engine = new Engine("/search/i/", load);
const queries = readFileSync(queryFile, "utf8").split("\n").filter((q) => q.trim());
const rows = [];
for (const q of queries) {
  fetched = [];
  const t0 = performance.now();
  const urls = await engine.search(q);
  const ms = performance.now() - t0;
  const bytes = fetched.reduce((s, [, b]) => s + b, 0);
  rows.push({ q, n: urls.length, bytes, ms, files: fetched, urls });
  if (showFiles) console.log(`${q}\t${urls.length}\t${bytes}\t${ms.toFixed(1)}\t${fetched.map(([p, b]) => `${p}:${b}`).join(" ")}`);
}
const later = rows.slice(1);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(p * (s.length - 1))]; };
const by = later.map((r) => r.bytes), ms = later.map((r) => r.ms);
console.log(`first query ${rows[0].q}: ${(rows[0].bytes / 1000).toFixed(1)} kB (manifest included, page and code not)`);
console.log(`later ${later.length} queries, bytes: median ${(pct(by, .5) / 1000).toFixed(1)} kB, p90 ${(pct(by, .9) / 1000).toFixed(1)} kB, ` +
  `max ${(Math.max(...by) / 1000).toFixed(1)} kB, total ${(by.reduce((a, b) => a + b, 0) / 1e6).toFixed(2)} MB`);
console.log(`engine ms (Node): median ${pct(ms, .5).toFixed(1)}, p95 ${pct(ms, .95).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}`);
if (outAt >= 0) writeFileSync(rest[outAt + 1], JSON.stringify(rows));
