// The search page: reads ?q= and filters from the URL, defines window.archiveSearch(query),
// renders results with live filter counts. The engine module's URL comes from the page
// (assets are fingerprinted), so no path is hard-coded here but the index folder's.

const app = document.getElementById("search-app");
const PAGE = 20;

const { Engine, browserLoader, norm, splitTerms } = await import(app.dataset.engine);
const engine = new Engine(app.dataset.index || "/search/i/", browserLoader());
window.archiveSearch = async (query) => engine.search(String(query ?? ""));

await engine.init();
// The filters, [key in the URL, label], as the index declares them (archive/search_index.py FACETS).
const FACETS = engine.m.facets || [];

const $ = (sel) => app.querySelector(sel);
const form = $("#search-form");
const input = $("#search-q");
const status = $("#search-status");
const namesBox = $("#search-names");
const filtersBox = $("#search-filters");
const list = $("#search-results");
const listHeading = $("#results-h");   // result titles are h3: a heading for them only when there are some
const moreBtn = $("#search-more");
const hint = $("#search-hint");
app.classList.add("js");

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function readState() {
  const p = new URLSearchParams(location.search);
  const st = { q: p.get("q") || "" };
  for (const [k] of FACETS) st[k] = p.get(k) || "";
  return st;
}

function writeState(st, replace) {
  const p = new URLSearchParams();
  if (st.q) p.set("q", st.q);
  for (const [k] of FACETS) if (st[k]) p.set(k, st[k]);
  const url = location.pathname + (p.toString() ? "?" + p : "");
  if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
}

// Facet values of one item, as [key, label] pairs (a facet may have several, e.g. two leads).
function facetValues(doc, f) {
  return engine.facet(doc, f);
}

function matchesFacet(doc, f, v) {
  return !v || facetValues(doc, f).some(([k]) => k === v);
}

let seq = 0;
let current = null;

// `focus`: the filter control to keep focus on once the filters are redrawn (they are replaced, and the
// results below them can take a while longer).
async function render(st, focus) {
  const my = ++seq;
  input.value = st.q;
  const header = document.getElementById("site-q");
  if (header) header.value = st.q;
  document.title = (st.q ? `${st.q} · 搜索` : "搜索") + document.title.replace(/^.*?( · [^·]*)$/, "$1");
  if (!st.q.trim()) {
    status.textContent = "输入要找的词，例如：养老、两癌筛查、住建局。多个词用空格分开，结果须同时包含每个词。";
    namesBox.replaceChildren(); filtersBox.replaceChildren(); list.replaceChildren();
    listHeading.hidden = true;
    moreBtn.hidden = true; hint.replaceChildren();
    return;
  }
  status.textContent = "正在搜索……";
  let r, names;
  try {
    [r, names] = await Promise.all([engine.run(st.q), engine.names(st.q)]);
  } catch (e) {
    status.textContent = "搜索索引加载失败，请刷新重试。";
    throw e;
  }
  const filtered = FACETS.some(([f]) => st[f]);
  // Every result's columns only when filters are open or in use: a search itself never needs them.
  if (filtered || filtersOpen) await engine.rows(r.docs);
  if (my !== seq) return;
  renderNames(names);
  const all = r.docs;
  const shown = filtered ? all.filter((doc) => FACETS.every(([f]) => matchesFacet(doc, f, st[f]))) : all;
  if (filtered || filtersOpen) renderFilters(st, all); else offerFilters(st, all);
  if (focus) focus()?.focus();
  current = { st, r, shown, n: 0 };
  list.replaceChildren();
  listHeading.hidden = !shown.length;
  hint.replaceChildren();
  if (!all.length) {
    status.textContent = `没有找到同时包含${r.terms.map((t) => `“${t.raw}”`).join("、")}的项目。`;
    await renderSuggestions(r, names);
  } else if (filtered) {
    status.textContent = `共 ${all.length} 个项目包含${termText(r)}，筛选后 ${shown.length} 个。`;
  } else {
    status.textContent = `共 ${all.length} 个项目包含${termText(r)}。`;
  }
  await more();
}

function termText(r) {
  return r.terms.map((t) => `“${t.raw}”`).join("和");
}

function renderNames(names) {
  namesBox.replaceChildren();
  if (!names.length) return;
  const ul = el("ul", { class: "names" });
  for (const e of names.slice(0, 30)) {
    const a = el("a", { href: e.u }, e.n);
    let meta;
    if (e.k === "d") {
      meta = `${e.j} · 牵头 ${e.l} 项 · 配合 ${e.c} 项`;
      if (e.a && e.a.length) meta += ` · 又称 ${e.a.join("、")}`;
    } else {
      meta = `地区 · ${e.i} 个项目`;
    }
    ul.append(el("li", {}, el("span", { class: "kind" }, e.k === "d" ? "部门" : "地区"), " ", a,
      el("span", { class: "meta" }, meta)));
  }
  const head = names.length > 30 ? `名称相符的部门和地区（前 30 个，共 ${names.length} 个）` : "名称相符的部门和地区";
  namesBox.append(el("h2", {}, head), ul);
}

let filtersOpen = false;

// A button instead of the filters: counting them needs every result's columns, which a reader who only
// reads the first results never downloads.
function offerFilters(st, all) {
  filtersBox.replaceChildren();
  if (!all.length) return;
  const open = el("button", { type: "button", class: "open-filters", "aria-expanded": "false" },
    `按${FACETS.map(([, label]) => label.replace(/（.*）$/, "")).join("、")}筛选`);
  open.addEventListener("click", async () => {
    filtersOpen = true;
    open.disabled = true;
    await engine.rows(all);
    if (current && current.r.docs === all) renderFilters(st, all);
    document.getElementById(`facet-${FACETS[0][0]}`)?.focus();
  });
  filtersBox.append(open);
}

function renderFilters(st, all) {
  filtersBox.replaceChildren();
  if (!all.length) return;
  for (const [f, label] of FACETS) {
    const counts = new Map();
    for (const doc of all) {
      if (!FACETS.every(([g]) => g === f || matchesFacet(doc, g, st[g]))) continue;
      for (const [k, lab] of facetValues(doc, f)) {
        const c = counts.get(k);
        if (c) c[1]++; else counts.set(k, [lab, 1]);
      }
    }
    if (st[f] && !counts.has(st[f])) counts.set(st[f], [st[f], 0]);
    if (!counts.size) continue;
    const id = `facet-${f}`;
    const sel = el("select", { id, name: f });
    sel.append(el("option", { value: "" }, `全部`));
    const vals = [...counts].sort((a, b) => b[1][1] - a[1][1] || a[1][0].localeCompare(b[1][0], "zh"));
    for (const [k, [lab, c]] of vals) {
      const o = el("option", { value: k }, `${lab}（${c}）`);
      if (k === st[f]) o.selected = true;
      sel.append(o);
    }
    sel.addEventListener("change", () => {
      const ns = { ...readState(), [f]: sel.value };
      writeState(ns);
      render(ns, () => document.getElementById(id));
    });
    // A status holds as of the build's date: the filter says which (issue 11: every status is dated).
    filtersBox.append(el("div", { class: "facet" }, el("label", { for: id }, label), sel));
  }
  if (FACETS.some(([f]) => st[f])) {
    const clear = el("button", { type: "button", class: "clear" }, "清除筛选");
    clear.addEventListener("click", () => {
      // The button goes with the filters it cleared: keep keyboard focus in the filters, not lost on <body>.
      const ns = { q: st.q }; writeState(ns); render(ns, () => filtersBox.querySelector("select"));
    });
    filtersBox.append(clear);
  }
}

async function more() {
  const c = current;
  if (!c) return;
  const slice = c.shown.slice(c.n, c.n + PAGE);
  const [frags] = await Promise.all([Promise.all(slice.map((doc) => engine.fragment(doc).catch(() => null))),
    engine.rows(slice)]);
  if (c !== current) return;
  const terms = variantsOf(c.r.terms);
  let first = null;
  slice.forEach((doc, i) => {
    const li = resultItem(doc, frags[i], terms);
    if (!first) first = li;
    list.append(li);
  });
  c.n += slice.length;
  moreBtn.hidden = c.n >= c.shown.length;
  moreBtn.textContent = `再显示 ${Math.min(PAGE, c.shown.length - c.n)} 个（已显示 ${c.n} / ${c.shown.length}）`;
  return first;
}

function variantsOf(terms) {
  const out = [];
  for (const t of terms) {
    out.push(t.t);
    if (engine.t2s) { const s = norm(engine.t2s(t.raw)); if (s && s !== t.t) out.push(s); }
  }
  return out;
}

// Normalised view of a display string with a map back to its characters.
function normMap(s) {
  const chars = Array.from(s);
  let n = "";
  const back = [];   // normalised UTF-16 index → index into chars
  chars.forEach((c, i) => {
    const x = norm(c);
    for (let k = 0; k < x.length; k++) back.push(i);
    n += x;
  });
  return { chars, n, back };
}

// Text with every occurrence of the terms wrapped in <mark>, optionally windowed.
function highlight(s, terms, windowed) {
  const { chars, n, back } = normMap(s);
  const marks = new Array(chars.length).fill(false);
  let firstHit = -1;
  for (const t of terms) {
    let i = n.indexOf(t);
    while (i >= 0) {
      const a = back[i], b = back[i + t.length - 1];
      for (let k = a; k <= b; k++) marks[k] = true;
      if (firstHit < 0 || a < firstHit) firstHit = a;
      i = n.indexOf(t, i + 1);
    }
  }
  let lo = 0, hi = chars.length;
  if (windowed && chars.length > 90) {
    lo = Math.max(0, (firstHit < 0 ? 0 : firstHit) - 30);
    hi = Math.min(chars.length, lo + 90);
  }
  const frag = document.createDocumentFragment();
  if (lo > 0) frag.append("…");
  let buf = "", on = false;
  const flush = () => {
    if (!buf) return;
    frag.append(on ? el("mark", {}, buf) : buf);
    buf = "";
  };
  for (let k = lo; k < hi; k++) {
    if (marks[k] !== on) { flush(); on = marks[k]; }
    buf += chars[k];
  }
  flush();
  if (hi < chars.length) frag.append("…");
  return { frag, hits: firstHit >= 0 ? marks.filter(Boolean).length : 0 };
}

function bestBlock(blocks, title, terms) {
  let best = null, bestScore = -1;
  for (const b of blocks) {
    if (b === title) continue;
    const nb = norm(b);
    let score = 0;
    for (const t of terms) if (nb.includes(t)) score++;
    if (score > bestScore) { best = b; bestScore = score; }
  }
  return best || blocks[0] || "";
}

function resultItem(doc, frag, terms) {
  const m = engine.m, lst = m.lists[engine.col("l", doc)];
  const url = engine.url(doc);
  const title = (frag && (frag.t || frag.b[0])) || url;
  const a = el("a", { href: url });
  a.append(highlight(title, terms, false).frag);
  const meta = el("p", { class: "meta" });
  const j = m.juris[lst.j];
  const bits = [j.n, lst.y ? `${lst.y}年` : "", lst.t].filter(Boolean);
  meta.append(bits.join(" · "));
  const leads = FACETS.some(([f]) => f === "d") ? engine.facet(doc, "d").map(([, label]) => label) : [];
  if (leads.length) meta.append(el("span", { class: "lead" }, `牵头：${leads.join("、")}`));
  const li = el("li", { class: "result" }, el("h3", {}, a), meta);
  if (frag) {
    const ex = el("p", { class: "excerpt" });
    ex.append(highlight(bestBlock(frag.b, frag.t, terms), terms, true).frag);
    li.append(ex);
  }
  return li;
}

async function renderSuggestions(r, names) {
  const items = [];
  if (r.terms.length > 1) {
    // the same query without its rarest term
    let rare = 0;
    r.counts.forEach((c, i) => { if (c < r.counts[rare]) rare = i; });
    const rest = r.terms.filter((t, i) => i !== rare).map((t) => (/\s/.test(t.raw) ? `"${t.raw}"` : t.raw)).join(" ");
    const n = (await engine.run(rest)).docs.length;
    if (n) {
      const a = el("a", { href: "?q=" + encodeURIComponent(rest) }, rest);
      items.push(el("li", {}, `去掉最少见的“${r.terms[rare].raw}”（${r.counts[rare]} 个项目含有）：`, a, `，${n} 个结果`));
    }
    r.terms.forEach((t, i) => {
      if (r.counts[i]) {
        const a = el("a", { href: "?q=" + encodeURIComponent(t.raw) }, t.raw);
        items.push(el("li", {}, "只搜 ", a, `：${r.counts[i]} 个结果`));
      }
    });
  }
  for (const e of names.slice(0, 5)) {
    items.push(el("li", {}, e.k === "d" ? "部门页面：" : "地区页面：", el("a", { href: e.u }, `${e.n}（${e.j || ""}）`.replace("（）", ""))));
  }
  items.push(el("li", {}, "换一个说法，或用更短的词：搜索按字面逐字比对，不做分词；繁体字会按简体查找。"));
  hint.replaceChildren(el("h2", {}, "可以试试"), el("ul", {}, ...items));
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const ns = { q: input.value.trim() };
  writeState(ns);
  render(ns).then(() => status.focus());
});

moreBtn.addEventListener("click", async () => {
  const first = await more();
  if (first) first.querySelector("a")?.focus();
});

addEventListener("popstate", () => render(readState()));

render(readState());
