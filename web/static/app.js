// The jury console: every answer comes from the JSON API (/v1); the page only shows it. Text is set with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { editions: [], history: [], describe: null, kind: null, selected: -1, completions: [], timer: 0, asked: 0 };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== "") node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw data;
  return data;
}

function errorBox(data) {
  const errors = (data && data.errors) || [{ code: "", text: String(data) }];
  return el("div", { class: "error" }, errors.map((e) => el("pre", {}, e.text || `${e.code}: ${e.message}`)));
}

// ---- editions
function editionKey() {
  return $("edition").value;
}

async function loadEditions() {
  const data = await api("/v1/editions");
  state.editions = data.editions;
  for (const select of [$("edition"), $("diff-old"), $("diff-new")]) {
    for (const e of data.editions) select.append(el("option", { value: e.key }, `${e.edition} — ${e.title}`));
  }
  // The diff starts on the two editions of one series, oldest first, when there are two.
  const series = data.editions.filter((e) => seriesOf(e.key) === seriesOf(data.editions[0].key));
  if (series.length > 1) {
    $("diff-old").value = series[0].key;
    $("diff-new").value = series[series.length - 1].key;
  } else if (data.editions.length > 1) {
    $("diff-new").value = data.editions[1].key;
  }
}

// ---- completion (the REPL's completer, over /v1/complete)
function hideCompletions() {
  $("completions").hidden = true;
  state.completions = [];
  state.selected = -1;
}

function showCompletions(found) {
  const list = $("completions");
  list.replaceChildren();
  state.completions = found;
  state.selected = found.length ? 0 : -1;
  found.forEach((c, i) => {
    list.append(el("li", { role: "option", "data-index": i, class: i === 0 ? "selected" : "", onmousedown: (event) => { event.preventDefault(); accept(i); } },
      el("span", { class: "word" }, c.text), el("span", { class: "meta" }, c.meta)));
  });
  list.hidden = found.length === 0;
}

async function complete() {
  const input = $("query");
  const text = input.value.slice(0, input.selectionStart);
  const params = new URLSearchParams({ text, edition: editionKey() });
  try {
    const data = await api(`/v1/complete?${params}`);
    if (input.value.slice(0, input.selectionStart) === text) showCompletions(data.completions);
  } catch {
    hideCompletions();
  }
}

function accept(index) {
  const choice = state.completions[index];
  if (!choice) return;
  const input = $("query");
  const cursor = input.selectionStart;
  const before = input.value.slice(0, cursor + choice.start) + choice.text + " ";
  input.value = before + input.value.slice(cursor);
  input.setSelectionRange(before.length, before.length);
  hideCompletions();
  input.focus();
  complete();
}

function moveSelection(step) {
  if (!state.completions.length) return;
  state.selected = (state.selected + step + state.completions.length) % state.completions.length;
  [...$("completions").children].forEach((li, i) => li.classList.toggle("selected", i === state.selected));
}

// ---- answers
function citationLink(citation, edition, withReading = true) {
  const where = citation.text ? `${citation.file}:${citation.line}, ${citation.text.file}:${citation.text.line}` : `${citation.file}:${citation.line}`;
  const label = [citation.section ? `§ ${citation.section}` : "", citation.clause ? `“${citation.clause}”` : ""].filter(Boolean).join(" — ");
  const link = el("button", { type: "button", class: "cite", title: citation.text ? "show the clause in the regulation text" : "the regulation text is not loaded" },
    label || where, label ? el("span", { class: "where" }, ` (${where})`) : "");
  if (citation.text) link.addEventListener("click", () => showClause(edition, citation));
  else link.disabled = true;
  const parts = [link];
  if (citation.reading && withReading) parts.push(readingLine(citation.reading.chosen, citation.reading.alternatives));
  return el("div", { class: "citation" }, parts);
}

function readingLine(chosen, alternatives) {
  return el("div", { class: "reading" }, `reading “${chosen}” (the text also allows ${alternatives.map((a) => `“${a}”`).join(" or ")})`);
}

// An answer's checklist (`carry RACE [with KIT]`): the items as a table, mandatory first, then the list-wide conditions.
function checklistTable(list, edition, onlyKit = "") {
  const items = onlyKit ? list.items.filter((i) => i.kit === onlyKit) : list.items;
  const caption = `${list.race}${list.kits.length ? ` with the ${list.kits.join(", ")} kit` : ""}${onlyKit ? " (adds or replaces)" : ""}`;
  return [
    el("table", { class: "checklist" }, el("caption", {}, caption),
      el("thead", {}, el("tr", {}, ["item", "count", "", "description", "specifications", "citation"].map((c) => el("th", {}, c)))),
      el("tbody", {}, items.map((i) => el("tr", { class: i.required ? "required" : "recommended" },
        el("td", {}, i.name, i.kit ? el("span", { class: "badge" }, ` ${i.kit} kit`) : ""), el("td", {}, String(i.count)),
        el("td", {}, i.required ? "required" : "recommended"), el("td", {}, i.description),
        el("td", {}, i.specs.length ? el("ul", {}, i.specs.map((s) => el("li", {}, s))) : ""),
        el("td", {}, citationLink(i.citation, edition)))))),
    !onlyKit && list.conditions.length ? el("div", { class: "conditions" }, el("p", { class: "muted" }, "For the whole list:"),
      el("ul", {}, list.conditions.map((c) => el("li", {}, c)))) : "",
  ];
}



function uniqueCitations(trace) {
  const seen = new Map();
  for (const entry of trace) {
    if (entry.citation) seen.set(`${entry.citation.file}:${entry.citation.line}`, entry.citation);
  }
  return [...seen.values()];
}

function renderAnswer(answer) {
  const box = $("answer");
  const citations = uniqueCitations(answer.trace);
  const isChecklist = answer.value && answer.value.type === "checklist";
  // Sections come as nodes, lists of nodes or "" when empty: flattened, as replaceChildren would print a list as text.
  box.replaceChildren(...[
    isChecklist ? el("div", { class: "value", id: "answer-value" }, answer.text.split("\n")[0])
      : el("div", { class: `value${answer.negative ? " negative" : ""}`, id: "answer-value" }, answer.text),
    answer.reason ? el("p", { class: "reason" }, answer.reason) : "",
    el("p", { class: "edition-line" }, `edition: ${answer.edition}`, answer.edition_note ? ` (${answer.edition_note})` : ""),
    answer.warnings.length ? el("div", { id: "warnings" }, answer.warnings.map((w) => el("p", { class: "warning" }, `warning: ${w}`))) : "",
    isChecklist ? checklistTable(answer.value, answer.edition) : "",
    // What the answer rests on besides the text: the reading taken of an ambiguous clause, and figures the query supplied.
    answer.readings.length ? [el("h3", {}, "Readings of ambiguous clauses this answer depends on"),
      el("div", { id: "readings" }, answer.readings.map((r) => el("div", { class: "citation" },
        readingLine(r.reading, r.alternatives), el("div", { class: "muted reading-of" }, `of “${r.clause}” (${r.file}:${r.line})`))))] : "",
    answer.inputs.length ? [el("h3", {}, "Supplied with the query, not in the regulation"),
      el("ul", { id: "inputs" }, answer.inputs.map((i) => el("li", {}, `${i.name} = ${i.value} (${i.reason})`)))] : "",
    el("h3", {}, "Citations"),
    el("div", { id: "citations" }, citations.length ? citations.map((c) => citationLink(c, answer.edition, false)) : el("p", { class: "muted" }, "none")),
    el("details", {}, el("summary", {}, `How it was decided (${answer.trace.length} steps)`),
      el("ol", { class: "trace" }, answer.trace.map((t) => el("li", {},
        `${t.kind} ${t.name}`, Object.keys(t.inputs).length ? `(${Object.entries(t.inputs).map(([k, v]) => `${k}=${v}`).join(", ")})` : "",
        t.detail ? `: ${t.detail}` : "", t.result ? ` → ${t.result}` : "")))),
  ].flat(Infinity).filter((part) => part !== ""));
}

async function ask(event) {
  event.preventDefault();
  hideCompletions();
  const query = $("query").value.trim();
  if (!query) return;
  const body = { query };
  if (editionKey() !== "auto") body.edition = editionKey();
  try {
    const answer = await api("/v1/query", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    renderAnswer(answer);
    record({ query, answer });
  } catch (data) {
    $("answer").replaceChildren(errorBox(data));
    record({ query, error: data });
  }
}

// ---- the clause, in the regulation text
async function showClause(edition, citation) {
  const params = new URLSearchParams({ edition, file: citation.text.file, first_line: citation.text.first_line, end_line: citation.text.end_line });
  const panel = $("clause");
  panel.hidden = false;
  try {
    const data = await api(`/v1/clause?${params}`);
    const lines = data.first_line === data.end_line ? `line ${data.first_line}` : `lines ${data.first_line}–${data.end_line}`;
    $("clause-title").textContent = `${data.file}, ${lines} (${data.edition})`;
    $("clause-lines").replaceChildren(...data.lines.map((line) =>
      el("div", { class: line.cited ? "line cited" : "line" }, el("span", { class: "number" }, line.number), el("span", { class: "text" }, line.text))));
  } catch (data) {
    $("clause-title").textContent = "The clause";
    $("clause-lines").replaceChildren(errorBox(data));
  }
}

// ---- browsing an edition: whatever `describe` returns, by kind
const TITLES = { infractions: "Penalty chart", schedules: "Schedules", query_forms: "Query forms", checklists: "Equipment checklists" };

function cell(value, edition) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== "object" || v === null)) return value.join(", ");
    // A list of records inside a row (a kind `describe` may add): one line each, citations still clickable.
    return el("ul", { class: "nested" }, value.map((v) => el("li", {}, cell(v, edition))));
  }
  if (typeof value === "object") {
    if ("clause" in value && "line" in value) return citationLink(value, edition);
    return Object.entries(value).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : typeof v === "object" && v ? JSON.stringify(v) : v}`).join("; ");
  }
  return String(value);
}

function table(rows, columns, edition, caption) {
  return el("table", {}, caption ? el("caption", {}, caption) : "",
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c.replaceAll("_", " "))))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => el("td", {}, cell(row[c], edition)))))));
}

function columnsOf(rows, skip = []) {
  const columns = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key) && !skip.includes(key)) columns.push(key);
  // The citation last: the rule first, then where it comes from.
  return columns.sort((a, b) => (a === "citation") - (b === "citation"));
}

function nestedList(item) {
  const keys = Object.keys(item).filter((k) => Array.isArray(item[k]) && item[k].length && item[k].every((v) => v && typeof v === "object" && !Array.isArray(v)));
  return keys.length === 1 ? keys[0] : null;
}

function numberOf(text) {
  const match = /^-?\d+(\.\d+)?/.exec(String(text).trim());
  return match ? Number(match[0]) : null;
}

// A step chart for any list of rows "through X: value" whose values are numbers (a refund schedule: percent by date).
function stepChart(item) {
  const rows = item.rows || [];
  if (rows.length < 2 || !rows.every((r) => "through" in r && numberOf(r.value) !== null)) return null;
  const values = rows.map((r) => numberOf(r.value));
  const top = Math.max(...values, 1);
  const width = 560, height = 200, left = 44, bottom = 36, step = (width - left - 10) / rows.length;
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "step-chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${item.name}: ${rows.map((r) => `through ${r.through} ${r.value}`).join(", ")}`);
  const y = (v) => 26 + (height - bottom - 26) * (1 - v / top);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("line", { x1: left, y1: y(0), x2: width - 10, y2: y(0), class: "axis" });
  add("line", { x1: left, y1: y(top), x2: left, y2: y(0), class: "axis" });
  add("text", { x: left - 6, y: y(top) + 4, "text-anchor": "end", class: "tick" }, String(top));
  add("text", { x: left - 6, y: y(0) + 4, "text-anchor": "end", class: "tick" }, "0");
  let path = "";
  rows.forEach((row, i) => {
    const x0 = left + i * step, x1 = x0 + step, v = values[i];
    path += `${i === 0 ? "M" : "L"}${x0},${y(v)} L${x1},${y(v)} `;
    add("text", { x: (x0 + x1) / 2, y: y(v) - 6, "text-anchor": "middle", class: "value-label" }, row.value);
    add("text", { x: (x0 + x1) / 2, y: height - bottom + 16, "text-anchor": "middle", class: "tick" }, row.through === "otherwise" ? "after" : `until ${row.through}`);
  });
  add("path", { d: path, class: "step" });
  return el("figure", {}, svg, el("figcaption", {}, `${item.name} (${item.returns || "value"}) by date`));
}

function renderKind(key) {
  state.kind = key;
  const data = state.describe;
  const edition = data.edition;
  [...$("kinds").children].forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.kind === key)));
  const body = $("browse-body");
  const items = data[key];
  const title = TITLES[key] || key.replaceAll("_", " ");
  if (key === "checklists" && state.carry) {
    body.replaceChildren(renderCarry(state.carry, edition));
    return;
  }
  if (!Array.isArray(items)) {
    body.replaceChildren(table(Object.entries(items).map(([name, words]) => ({ name, words })), ["name", "words"], edition, title));
    return;
  }
  const nested = items.length ? items.map(nestedList) : [];
  const parts = [];
  if (items.length && nested.every((k) => k !== null && k === nested[0])) {
    // Each thing holds one list (penalties, rows): one table, a row per entry, led by the thing's own fields.
    const own = columnsOf(items, ["kind", nested[0], "citation"]);
    const rows = items.flatMap((item) => item[nested[0]].map((row, i) => ({ ...Object.fromEntries(own.map((c) => [c, i === 0 ? item[c] : ""])), ...row })));
    parts.push(table(rows, [...own, ...columnsOf(items.flatMap((i) => i[nested[0]]))].filter((c, i, all) => all.indexOf(c) === i)
      .sort((a, b) => (a === "citation") - (b === "citation")), edition, title));
    for (const item of items) {
      const chart = stepChart(item);
      if (chart) parts.push(chart);
    }
  } else {
    parts.push(table(items, columnsOf(items, ["kind"]), edition, title));
  }
  body.replaceChildren(...parts);
}

// Until `describe` lists checklists, the page shows them as the CLI answers `carry RACE` and `carry RACE with KIT`:
// a race's whole list, then for each kit only what the kit adds or replaces.
function renderCarry(answers, edition) {
  return el("div", { class: "carry" }, el("p", { class: "muted" }, "As the answers to “carry RACE [with KIT]”: each race's list, then what each kit adds or replaces."),
    answers.map((a) => el("section", { class: "carry-answer", "data-query": a.query, title: a.query },
      checklistTable(a.value, edition, a.value.kits[0] || ""))));
}

function seriesOf(key) {
  return key.split("-").slice(0, -1).join("-");
}

// With no edition picked, browse the newest edition of the first series (the editions come sorted by key).
function newestOfFirstSeries() {
  if (!state.editions.length) return null;
  const first = seriesOf(state.editions[0].key);
  return state.editions.filter((e) => seriesOf(e.key) === first).at(-1).key;
}

async function loadBrowse() {
  const key = editionKey() === "auto" ? newestOfFirstSeries() : editionKey();
  if (!key) return;
  try {
    const data = await api(`/v1/describe/${encodeURIComponent(key)}`);
    state.carry = null;
    if (!("checklists" in data)) {
      const carried = await api(`/v1/checklists/${encodeURIComponent(key)}`);
      if (carried.answers.length) {
        state.carry = carried.answers;
        data.checklists = carried.answers;  // listed with the other kinds, rendered from the answers
      }
    }
    state.describe = data;
    $("browse-title").textContent = `${data.title} (${data.file})`;
    const kinds = Object.keys(data).filter((k) => typeof data[k] === "object" && data[k] !== null && (Array.isArray(data[k]) ? data[k].length : Object.keys(data[k]).length));
    $("kinds").replaceChildren(...kinds.map((k) => el("button", { type: "button", "data-kind": k, onclick: () => renderKind(k) },
      TITLES[k] || k.replaceAll("_", " "), el("span", { class: "count" }, Array.isArray(data[k]) ? data[k].length : Object.keys(data[k]).length))));
    renderKind(kinds.includes(state.kind) ? state.kind : kinds[0]);
  } catch (data) {
    $("browse-body").replaceChildren(errorBox(data));
  }
}

// ---- the diff of two editions, side by side
// What an added race brings, a table's rows, a rule's changed parts: one line each, under the change.
function detailList(details) {
  return details && details.length ? el("ul", { class: "diff-details" }, details.map((d) => el("li", {}, d))) : "";
}

async function showDiff(event) {
  event.preventDefault();
  const params = new URLSearchParams({ old: $("diff-old").value, new: $("diff-new").value });
  try {
    const data = await api(`/v1/diff?${params}`);
    const head = el("p", { class: "diff-head" }, `${data.old.edition} → ${data.new.edition}: ${data.equal ? "no changes" : `${data.count} change${data.count === 1 ? "" : "s"}`}`);
    const sections = data.sections.map((section) => el("table", { class: "diff" }, el("caption", {}, section.title),
      el("thead", {}, el("tr", {}, el("th", {}, "change"), el("th", {}, data.old.edition), el("th", {}, data.new.edition))),
      el("tbody", {}, section.changes.map((c) => el("tr", { class: `kind-${c.kind}` },
        el("td", {}, el("span", { class: "badge" }, c.kind), " ", c.subject, c.delta ? el("div", { class: "muted" }, c.delta) : "",
          c.kind !== "added" && c.kind !== "removed" ? detailList(c.details) : ""),
        el("td", { class: "old" }, c.old || "", c.kind === "removed" ? detailList(c.details) : "",
          c.old_citation ? citationLink(c.old_citation, data.old.edition) : ""),
        el("td", { class: "new" }, c.new || "", c.kind === "added" ? detailList(c.details) : "",
          c.new_citation ? citationLink(c.new_citation, data.new.edition) : ""))))));
    $("diff-body").replaceChildren(head, ...sections);
  } catch (data) {
    $("diff-body").replaceChildren(errorBox(data));
  }
}

// ---- the meeting's questions, for the minutes
function record(entry) {
  entry.time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  state.history.push(entry);
  $("history-count").textContent = String(state.history.length);
  const answerText = entry.answer ? entry.answer.text : `error: ${entry.error.errors ? entry.error.errors[0].message : "no answer"}`;
  $("history").append(el("li", {}, el("code", {}, entry.query), " → ", el("strong", {}, answerText), entry.answer ? ` (${entry.answer.edition})` : ""));
}

function markdownEscape(text) {
  return String(text).replace(/([\\`*_[\]<>|#])/g, "\\$1");
}

function minutes() {
  const lines = ["# Jury meeting: questions and answers", ""];
  state.history.forEach((entry, i) => {
    lines.push(`## ${i + 1}. \`${entry.query.replaceAll("`", "'")}\` (${entry.time})`, "");
    if (entry.answer) {
      const a = entry.answer;
      lines.push(`- **Answer:** ${markdownEscape(a.text)}`);
      if (a.reason) lines.push(`- **Why:** ${markdownEscape(a.reason)}`);
      lines.push(`- **Edition:** ${markdownEscape(a.edition)}${a.edition_note ? ` (${markdownEscape(a.edition_note)})` : ""}`);
      for (const w of a.warnings) lines.push(`- **Warning:** ${markdownEscape(w)}`);
      for (const r of a.readings) {
        lines.push(`- **Reading:** “${markdownEscape(r.reading)}” (the text also allows ${r.alternatives.map((x) => `“${markdownEscape(x)}”`).join(" or ")}) of “${markdownEscape(r.clause)}” (\`${r.file}:${r.line}\`)`);
      }
      for (const i of a.inputs) lines.push(`- **Input, not in the regulation:** ${markdownEscape(i.name)} = ${markdownEscape(i.value)} (${markdownEscape(i.reason)})`);
      for (const c of uniqueCitations(a.trace)) {
        const where = `${c.file}:${c.line}${c.text ? `, ${c.text.file}:${c.text.line}` : ""}`;
        lines.push(`- **Citation:** ${c.section ? `§ ${markdownEscape(c.section)} — ` : ""}“${markdownEscape(c.clause)}” (\`${where}\`)`);
      }
    } else {
      for (const e of entry.error.errors || []) lines.push(`- **Error ${e.code}:** ${markdownEscape(e.message)}`);
    }
    lines.push("");
  });
  return lines.join("\n");
}

function exportMinutes() {
  const text = minutes();
  $("minutes").textContent = text;
  $("minutes").hidden = false;
  const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/markdown" })), download: "jury-minutes.md" });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- tabs and wiring
function showTab(name) {
  for (const button of $("tabs").children) button.setAttribute("aria-selected", String(button.dataset.tab === name));
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
  $("clause").hidden = true;  // a clause belongs to the answer or table it was opened from
  if (name === "browse") loadBrowse();
}

function wire() {
  for (const button of $("tabs").children) button.addEventListener("click", () => showTab(button.dataset.tab));
  $("ask-form").addEventListener("submit", ask);
  $("diff-form").addEventListener("submit", showDiff);
  $("export").addEventListener("click", exportMinutes);
  $("clause-close").addEventListener("click", () => { $("clause").hidden = true; });
  $("edition").addEventListener("change", () => { if (!$("tab-browse").hidden) loadBrowse(); });
  const input = $("query");
  // A list offered for other text is stale: it goes at once, and the new one comes when typing pauses.
  input.addEventListener("input", () => { hideCompletions(); clearTimeout(state.timer); state.timer = setTimeout(complete, 120); });
  input.addEventListener("blur", () => setTimeout(hideCompletions, 150));
  input.addEventListener("keydown", (event) => {
    const open = !$("completions").hidden && state.completions.length;
    if (event.key === "Tab") {
      event.preventDefault();
      if (open) accept(Math.max(state.selected, 0));
      else complete();
    } else if (event.key === "ArrowDown" && open) { event.preventDefault(); moveSelection(1); }
    else if (event.key === "ArrowUp" && open) { event.preventDefault(); moveSelection(-1); }
    else if (event.key === "Escape") hideCompletions();
  });
}

wire();
loadEditions().catch((data) => $("answer").replaceChildren(errorBox(data)));
