// Exact substring search over the archive's bigram index (see archive/search/writer.py).
// No segmentation: a term matches an item iff its normalised text contains the term.
// Browser and Node (tests) both import this module; it only needs fetch-like `load`.

const SEP = 10; // "\n" between blocks in the normalised text
const NONE = { docs: new Int32Array(0), zones: new Uint8Array(0) };

function fnv1a(values) {
  let h = 0x811c9dc5;
  for (let v of values) {
    for (let i = 0; i < 3; i++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      v >>>= 8;
    }
  }
  return h >>> 0;
}

// NFKC, whitespace removed, case-folded (Python's str.casefold for the scripts that matter here).
export function norm(s) {
  return s.normalize("NFKC").replace(/\s+/gu, "").toLowerCase()
    .replace(/ß/g, "ss").replace(/ς/g, "σ");
}

// Terms: whitespace-separated; a "quoted phrase" is one term (its spaces are dropped, as in norm).
export function splitTerms(q) {
  const out = [];
  const re = /"([^"]*)"|(\S+)/gu;
  let m;
  const s = q.normalize("NFKC");
  while ((m = re.exec(s))) {
    const raw = m[1] !== undefined ? m[1] : m[2].replace(/"/g, "");
    const t = norm(raw);
    if (t) out.push({ raw, t });
  }
  return out;
}

// OpenCC t2s: longest phrase first (TSPhrases), then characters.
export function makeT2s(table) {
  const chars = new Map();
  const cs = Array.from(table.c);
  for (let i = 0; i + 1 < cs.length; i += 2) chars.set(cs[i], cs[i + 1]);
  const phrases = new Map(Object.entries(table.p));
  let maxLen = 1;
  for (const k of phrases.keys()) maxLen = Math.max(maxLen, Array.from(k).length);
  return (s) => {
    const cs = Array.from(s);
    let out = "";
    for (let i = 0; i < cs.length; ) {
      let done = false;
      for (let l = Math.min(maxLen, cs.length - i); l >= 2; l--) {
        const k = cs.slice(i, i + l).join("");
        const v = phrases.get(k);
        if (v !== undefined) { out += v; i += l; done = true; break; }
      }
      if (!done) { const c = cs[i]; out += chars.get(c) ?? c; i++; }
    }
    return out;
  };
}

function readVarint(buf, st) {
  const b0 = buf[st.p++];
  if (b0 < 0x80) return b0;                 // most values: one byte
  let n = b0 & 0x7f, shift = 7, b;
  do { b = buf[st.p++]; n += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return n;
}

export class Engine {
  // load(path) → Promise<ArrayBuffer|string|object> ; kind: "json" | "bin"
  constructor(base, load) {
    this.base = base;
    this.load = load;
    this.shards = new Map();   // k → Promise<Map key → where its item list and positions are>
    this.postings = new Map(); // key → Promise of its decoded item list
    this.ownEntries = new Map(); // key → entry of a key with files of its own
    this.nameShards = new Map();
    this.frags = new Map();
    this.chunks = new Map();   // k → Promise of the per-item columns of items k·C … k·C+C−1
    this.cols = [];            // k → those columns, once loaded
    this.t2s = null;
  }

  async init() {
    if (!this.ready) {
      this.ready = this.load(this.base + "manifest.json", "json").then((m) => {
        this.m = m;
        this.n = m.n;
        const bin = atob(m.tmask || "");
        this.tmask = Uint8Array.from(bin, (c) => c.charCodeAt(0));
        this.own = ownKeys(m.sk || "");
        // runs [list, first number, count, …] → the first item of each run, to find a doc's run
        this.runStart = [];
        if (m.runs) for (let i = 0, d = 0; i < m.runs.length; i += 3) { this.runStart.push(d); d += m.runs[i + 2]; }
      });
    }
    return this.ready;
  }

  // What only the page needs, for the results it shows and for filters: the tables (lists, jurisdictions,
  // each filter's values, merged into this.m) and the column chunks that hold `docs`; col() and facet()
  // then answer for them. A search itself (run, url) needs neither.
  async rows(docs) {
    if (!this.tablesP) {
      this.tablesP = this.load(this.base + "tables.json", "json").then((t) => { Object.assign(this.m, t); });
      this.tablesP.catch(() => { this.tablesP = null; });
    }
    const C = this.m.C, want = new Set();
    for (const doc of docs) want.add(Math.floor(doc / C));
    await Promise.all([this.tablesP, ...[...want].map((k) => {
      let p = this.chunks.get(k);
      if (!p) {
        p = this.load(`${this.base}d/${k}.json`, "json").then((c) => { this.cols[k] = c; });
        p.catch(() => this.chunks.delete(k));
        this.chunks.set(k, p);
      }
      return p;
    })]);
  }

  col(name, doc) {
    const k = Math.floor(doc / this.m.C);
    return this.cols[k][name][doc - k * this.m.C];
  }

  // An item's values of one filter, as [value, label] pairs (columns loaded).
  facet(doc, f) {
    const v = this.col("f" + f, doc), table = this.m.fv[f];
    return (Array.isArray(v) ? v : v < 0 ? [] : [v]).map((i) => table[i]);
  }

  // The t2s table is loaded only for a query with a character it may change.
  async needT2s(q) {
    if (this.t2s) return;
    let need = false;
    for (const c of q) {
      const cp = c.codePointAt(0);
      if (cp < 0x2e80) continue;
      if (cp < 0x3400 || cp >= 0xa000 || !this.tmask.length) { need = true; break; }
      const i = cp - 0x3400;
      if (this.tmask[i >> 3] & (1 << (i & 7))) { need = true; break; }
    }
    if (!need) return;
    if (!this.t2sP) {
      this.t2sP = this.load(this.base + "t2s.json", "json").then((t) => { this.t2s = makeT2s(t); })
        .catch(() => { this.t2sP = null; });
    }
    await this.t2sP;
  }

  // Keys shard k: Map key → {nd, ilen, plen, buf, ioff, poff} (ioff −1: the key has files of its own).
  shard(k) {
    let p = this.shards.get(k);
    if (!p) {
      p = this.load(`${this.base}s/${k}.bin`, "bin").then((ab) => {
        const buf = new Uint8Array(ab);
        const st = { p: 0 };
        const count = readVarint(buf, st);
        const ents = [];
        for (let i = 0; i < count; i++) {
          const a = readVarint(buf, st), b = readVarint(buf, st), nd = readVarint(buf, st);
          const ilen = readVarint(buf, st), plen = readVarint(buf, st);
          ents.push([a, b, nd, ilen, plen]);
        }
        const map = new Map();
        let off = st.p;
        for (const [a, b, nd, ilen, plen] of ents) {
          const inline = ilen + plen <= this.m.X;
          map.set(a * 0x200000 + b, { a, b, nd, ilen, plen, buf, ioff: inline ? off : -1, poff: off + ilen });
          if (inline) off += ilen + plen;
        }
        return map;
      });
      p.catch(() => this.shards.delete(k));
      this.shards.set(k, p);
    }
    return p;
  }

  // Where a key's item list and positions are: a key with files of its own is known from the manifest,
  // so its files are asked for at once (not after its shard: one round trip and one request less).
  async entry(cp1, cp2) {
    const id = cp1 * 0x200000 + cp2;
    if (this.own.has(id)) {   // one entry a key, as a shard's: it keeps the key's positions once fetched
      let e = this.ownEntries.get(id);
      if (!e) { e = { a: cp1, b: cp2, ioff: -1 }; this.ownEntries.set(id, e); }
      return e;
    }
    return (await this.shard(fnv1a([cp1, cp2]) % this.m.S)).get(id);
  }

  // Bytes of a key's item list or positions: [buffer, start, end], in its shard or in files of its own:
  // k/ (item list) or p/ (item list, then positions; once asked for, it also gives the item list).
  async bytes(e, dir) {
    if (e.ioff >= 0) return dir === "k" ? [e.buf, e.ioff, e.ioff + e.ilen] : [e.buf, e.poff, e.poff + e.plen];
    if (dir === "k" && !e.pfile) {
      const buf = new Uint8Array(await this.load(`${this.base}k/${e.a}-${e.b}.bin`, "bin"));
      return [buf, 0, buf.length];
    }
    if (!e.pfile) {
      e.pfile = this.load(`${this.base}p/${e.a}-${e.b}.bin`, "bin").then((ab) => {
        const buf = new Uint8Array(ab), st = { p: 0 }, ilen = readVarint(buf, st);
        return [buf, st.p, st.p + ilen];
      });
      e.pfile.catch(() => { e.pfile = null; });
    }
    const [buf, i0, i1] = await e.pfile;
    return dir === "k" ? [buf, i0, i1] : [buf, i1, buf.length];
  }

  // Item list of one key: {docs: Int32Array ascending, zones: Uint8Array (1 title, 2 lead names)}.
  items(cp1, cp2) {
    const id = cp1 * 0x200000 + cp2;
    let p = this.postings.get(id);
    if (!p) {
      p = this.entry(cp1, cp2).then(async (e) => {
        if (!e) return { docs: new Int32Array(0), zones: new Uint8Array(0), e: null };
        const [buf, at, end] = await this.bytes(e, "k");
        let nd = 0;   // one varint an item: its last byte is the only one below 0x80
        for (let i = at; i < end; i++) if (buf[i] < 0x80) nd++;
        const docs = new Int32Array(nd), zones = new Uint8Array(nd);
        const st = { p: at };
        let doc = 0;
        for (let i = 0; i < nd; i++) {
          const v = readVarint(buf, st);
          if (cp2 === 0) { doc += v; } else { doc += Math.floor(v / 4); zones[i] = v & 3; }
          docs[i] = doc;
        }
        return { docs, zones, e };
      });
      p.catch(() => this.postings.delete(id));
      this.postings.set(id, p);
    }
    return p;
  }

  // Positions of one bigram, in its item list's order: {at: offsets, item i's from at[i] to at[i + 1];
  // pos: Int32Array}. Per item: zigzag(first − 2·Z), then deltas; each value's lowest bit says whether
  // another follows. Asked for as soon as the key's entry is known, alongside its item list: one round
  // trip less for a longer term, at the cost of positions fetched for a term whose bigrams share no item
  // (or, for a key with files of its own, whose other bigram is in no item at all).
  positions(e) {
    if (!e.posP) {
      e.posP = this.bytes(e, "p").then(([buf, p0, end]) => {
        const base = 2 * this.m.Z;
        const at = new Int32Array(end - p0 + 1), pos = new Int32Array(end - p0);   // at least a byte a position
        const st = { p: p0 };
        let n = 0, i = 0;
        for (; st.p < end; i++) {
          at[i] = n;
          let v = readVarint(buf, st), x = Math.floor(v / 2);
          let q = (x % 2 ? -(x + 1) / 2 : x / 2) + base;
          pos[n++] = q;
          while (v & 1) { v = readVarint(buf, st); q += Math.floor(v / 2); pos[n++] = q; }
        }
        at[i] = n;
        return { at, pos };
      });
      e.posP.catch(() => { e.posP = null; });
    }
    return e.posP;
  }

  // One normalised term → the items holding it: {docs: ascending, zones: 1 in the title, 2 in a lead name}.
  async term(t) {
    const cps = Array.from(t).map((c) => c.codePointAt(0));
    if (cps.includes(SEP)) return NONE;
    if (cps.length <= 2) return this.items(cps[0], cps.length === 2 ? cps[1] : 0);
    const L = cps.length;
    const offs = [];
    for (let o = 0; o < L - 1; o += 2) offs.push(o);
    if (offs[offs.length - 1] !== L - 2) offs.push(L - 2);
    const ents = await Promise.all(offs.map((o) => this.entry(cps[o], cps[o + 1])));
    if (ents.some((e) => !e)) return NONE;
    const posP = Promise.all(ents.map((e) => this.positions(e)));
    posP.catch(() => {});
    const lists = await Promise.all(offs.map((o) => this.items(cps[o], cps[o + 1])));
    // candidates: items in every list, with their index in each list (lists are ascending)
    const order = offs.map((o, i) => i).sort((a, b) => lists[a].docs.length - lists[b].docs.length);
    const K = lists.length, smallest = lists[order[0]].docs;
    const cand = new Int32Array(smallest.length * K);   // per candidate its index in each list
    const candDocs = new Int32Array(smallest.length);
    const next = lists.map(() => 0);
    let nc = 0;
    for (const doc of smallest) {
      let ok = true;
      for (let i = 0; i < K && ok; i++) {
        const d = lists[i].docs;
        let lo = next[i], hi = d.length;   // first index ≥ doc, from where the last search ended
        while (lo < hi) { const mid = (lo + hi) >> 1; if (d[mid] < doc) lo = mid + 1; else hi = mid; }
        next[i] = lo;
        if (lo < d.length && d[lo] === doc) cand[nc * K + i] = lo; else ok = false;
      }
      if (ok) candDocs[nc++] = doc;
    }
    if (!nc) return NONE;
    const pos = await posP;
    const docs = new Int32Array(nc), zones = new Uint8Array(nc);
    let n = 0;
    const Z = this.m.Z;   // positions: title zone below Z, lead names below 2·Z, then the visible text
    for (let c = 0; c < nc; c++) {
      const doc = candDocs[c], row = c * K;
      let ti = false, ld = false, hit = false;
      const p0 = pos[0];
      for (let k = p0.at[cand[row]]; k < p0.at[cand[row] + 1]; k++) {
        const p = p0.pos[k];
        let good = true;
        for (let i = 1; i < K; i++) {
          const pi = pos[i], j = cand[row + i];
          if (!has(pi.pos, pi.at[j], pi.at[j + 1], p + offs[i])) { good = false; break; }
        }
        if (!good) continue;
        hit = true;
        if (p < Z) ti = true;
        else if (p < 2 * Z) ld = true;
      }
      if (hit) { docs[n] = doc; zones[n++] = (ti ? 1 : 0) | (ld ? 2 : 0); }
    }
    return { docs: docs.subarray(0, n), zones: zones.subarray(0, n) };
  }

  // A query term with its Traditional→Simplified variant: union of both.
  async variantTerm(term) {
    const forms = [term.t];
    if (this.t2s) {
      const s = norm(this.t2s(term.raw));
      if (s && s !== term.t) forms.push(s);
    }
    const [a, b] = await Promise.all(forms.map((f) => this.term(f)));
    if (!b) return a;
    const docs = [], zones = [];
    for (let i = 0, j = 0; i < a.docs.length || j < b.docs.length;) {
      const x = i < a.docs.length ? a.docs[i] : Infinity, y = j < b.docs.length ? b.docs[j] : Infinity;
      docs.push(Math.min(x, y));
      zones.push((x <= y ? a.zones[i++] : 0) | (y <= x ? b.zones[j++] : 0));
    }
    return { docs, zones };
  }

  // URL of a doc returned by run(): from the manifest's runs (or, for a site whose URLs are not numbered,
  // from its loaded columns).
  url(doc) {
    const m = this.m;
    if (!m.runs) return m.lu[this.col("l", doc)] + this.col("s", doc);
    let lo = 0, hi = this.runStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runStart[mid] <= doc) lo = mid; else hi = mid - 1;
    }
    const n = m.runs[3 * lo + 1] + doc - this.runStart[lo];
    return m.lu[m.runs[3 * lo]] + (n < 10 ? "0" + n : n) + "/";
  }

  // Full search: {terms, docs (rank order), counts per term}. Rank: terms in the title, then terms in a
  // lead name, then id; items are visited in id order, so each (title, lead) tier is already in order.
  async run(q) {
    await this.init();
    const terms = splitTerms(q);
    if (!terms.length) return { terms, docs: [], counts: [] };
    await this.needT2s(q);
    const lists = await Promise.all(terms.map((t) => this.variantTerm(t)));
    const counts = lists.map((l) => l.docs.length);
    const first = lists.reduce((a, l) => (l.docs.length < a.docs.length ? l : a));
    const T = terms.length + 1, tier = new Int32Array(first.docs.length), size = new Int32Array(T * T + 1);
    tier.fill(-1);
    const next = lists.map(() => 0);
    for (let k = 0; k < first.docs.length; k++) {
      const doc = first.docs[k];
      let ti = 0, le = 0, ok = true;
      for (let i = 0; i < lists.length && ok; i++) {
        const d = lists[i].docs;
        let lo = next[i], hi = d.length;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (d[mid] < doc) lo = mid + 1; else hi = mid; }
        next[i] = lo;
        if (lo === d.length || d[lo] !== doc) ok = false;
        else if (lists[i].zones[lo] & 1) ti++;
        else if (lists[i].zones[lo] & 2) le++;
      }
      if (ok) { tier[k] = (T - 1 - ti) * T + (T - 1 - le); size[tier[k] + 1]++; }
    }
    for (let t = 1; t <= T * T; t++) size[t] += size[t - 1];   // where each tier starts
    const docs = new Array(size[T * T]);
    for (let k = 0; k < tier.length; k++) if (tier[k] >= 0) docs[size[tier[k]]++] = first.docs[k];
    if (!this.m.runs) await this.rows(docs);   // URLs from columns
    return { terms, docs, counts };
  }

  async search(q) {
    const r = await this.run(q);
    return r.docs.map((doc) => this.url(doc));
  }

  // Departments and jurisdictions whose name (or alias) is the whole query.
  async names(q) {
    await this.init();
    await this.needT2s(q);
    const keys = new Set([norm(q)]);
    if (this.t2s) keys.add(norm(this.t2s(q)));
    const out = [];
    const seen = new Set();
    for (const k of keys) {
      if (!k) continue;
      const sh = fnv1a(Array.from(k).map((c) => c.codePointAt(0))) % this.m.N;
      let p = this.nameShards.get(sh);
      if (!p) { p = this.load(`${this.base}n/${sh}.json`, "json"); this.nameShards.set(sh, p); }
      const table = await p;
      for (const e of table[k] || []) if (!seen.has(e.u)) { seen.add(e.u); out.push(e); }
    }
    return out;
  }

  fragment(doc) {
    let p = this.frags.get(doc);
    if (!p) { p = this.load(`${this.base}f/${doc >> 8}/${doc}.json`, "json"); this.frags.set(doc, p); }
    return p;
  }
}

// Manifest "sk" (archive/search/writer.py) → the ids (cp1 · 2^21 + cp2) of keys with files of their own.
function ownKeys(b64) {
  const buf = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), st = { p: 0 }, out = new Set();
  if (!buf.length) return out;
  const cps = new Array(readVarint(buf, st));   // the alphabet: characters are written by their index in it
  for (let i = 0, c = 0; i < cps.length; i++) { c += readVarint(buf, st); cps[i] = c; }
  for (let r1 = 0; st.p < buf.length;) {
    r1 += readVarint(buf, st);
    for (let n = readVarint(buf, st), r2 = 0; n > 0; n--) { r2 += readVarint(buf, st); out.add(cps[r1] * 0x200000 + cps[r2]); }
  }
  return out;
}

// Is x in arr[lo … hi − 1] (ascending)?
function has(arr, lo, hi, x) {
  hi -= 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = arr[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1; else hi = mid - 1;
  }
  return false;
}

export function browserLoader() {
  return async (path, kind) => {
    const r = await fetch(path);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return kind === "json" ? r.json() : r.arrayBuffer();
  };
}
