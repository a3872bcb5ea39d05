// Rendering: the journal list, a request's detail, the route table with its metrics.
import { curl, el, facts, pairsTable, pretty } from "./util.js";

// Does a journal entry pass the filter form's values?
export function passes(entry, filter) {
  if (filter.service && entry.service !== filter.service) return false;
  if (filter.method && entry.method !== filter.method) return false;
  if (filter.status) {
    const wanted = filter.status.trim().toLowerCase();
    const status = String(entry.status);
    if (/^[1-5]xx$/.test(wanted) ? status[0] !== wanted[0] : status !== wanted) return false;
  }
  if (filter.path && !entry.path.includes(filter.path)) return false;
  if (filter.route && !entry.route.includes(filter.route)) return false;
  if (filter.unmatched && entry.matched) return false;
  return true;
}

export function journalItem(entry, selected, onChoose) {
  const failed = entry.status >= 400;
  return el("li", {},
    el("button", {
      type: "button", "aria-pressed": selected ? "true" : "false", "data-id": entry.id,
      onclick: () => onChoose(entry),
    },
      el("span", { class: failed ? "bad" : "good" }, String(entry.status)),
      el("span", {}, entry.method),
      el("span", { class: "where" }, entry.url),
      el("span", { class: "route" }, entry.matched ? `${entry.service}: ${entry.route}` : `${entry.service}: unmatched`)));
}

function closestRoutes(entry) {
  let document;
  try {
    document = JSON.parse(entry.response_body);
  } catch {
    return null;
  }
  if (!document || !Array.isArray(document.closest)) return null;
  return el("section", { class: "closest-routes" },
    el("h4", {}, "Closest routes, and why each did not match"),
    el("ol", { class: "closest" }, document.closest.map((near) =>
      el("li", {},
        el("strong", {}, `${near.service}: ${near.route}`),
        el("ul", {}, (near.reasons || []).map((reason) => el("li", { class: "reason" }, `failed: ${reason}`)))))));
}

// A note under a body the stream sent only the start of.
function cut(shown, size) {
  const sent = new TextEncoder().encode(shown).length;
  return size > sent && size > 64 * 1024
    ? el("p", { class: "hint" }, `The first 64 KiB of ${size} bytes are shown: Export HAR has the whole body.`)
    : null;
}

export function detail(entry, context) {
  const service = context.services.get(entry.service);
  const origin = service ? new URL(service.url).origin : location.origin;
  const route = entry.matched ? context.routeOf(entry.service, entry.route) : null;
  const command = curl(entry, origin);
  const curlBlock = el("pre", { class: "curl" }, command);
  const copy = el("button", {
    type: "button", class: "copy-curl",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(command);
        copy.textContent = "Copied";
      } catch {
        copy.textContent = "Select the command below to copy it";
      }
    },
  }, "Copy as curl");
  const behaviours = ["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining"]
    .filter((name) => entry.response_headers[name] !== undefined)
    .map((name) => `${name}: ${entry.response_headers[name]}`);
  return [
    el("h3", {}, `${entry.method} ${entry.url}`),
    facts([
      ["Service", entry.service],
      ["Answer", `${entry.status}${entry.matched ? "" : " (no route matched)"}`],
      ["Route", entry.matched ? entry.route : "none"],
      ["Defined at", route ? `${route.file}:${route.line}:${route.column}` : "-"],
      ["Time", `${entry.duration_ms} ms, at ${new Date(entry.time * 1000).toLocaleTimeString()}`],
      ["Size", `request ${entry.body_size} bytes, answer ${entry.response_size} bytes`],
      ["Rate limit", behaviours.length ? behaviours.join(", ") : "no rate-limit headers in the answer"],
    ]),
    el("div", { class: "toolbar" }, copy),
    curlBlock,
    entry.matched ? null : closestRoutes(entry),
    el("h4", {}, "Request"),
    pairsTable("Query", entry.query),
    pairsTable("Headers", Object.entries(entry.headers)),
    el("p", {}, "Body:"),
    el("pre", { class: "request-body" }, pretty(entry.body) || "(empty)"),
    cut(entry.body, entry.body_size),
    el("h4", {}, "Answer"),
    pairsTable("Answer headers", Object.entries(entry.response_headers)),
    el("p", {}, "Answer body:"),
    el("pre", { class: "answer-body" }, pretty(entry.response_body) || "(empty)"),
    cut(entry.response_body, entry.response_size),
  ];
}

// Prometheus text to {"service route": {hits, sum, count, buckets: [[le, n]...]}}.
export function parseMetrics(text) {
  const found = {};
  const labels = (raw) => Object.fromEntries([...raw.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
  for (const line of text.split("\n")) {
    const match = /^(mockery_request[s_a-z]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, name, raw, value] = match;
    const l = labels(raw);
    const key = `${l.service} ${l.route}`;
    const row = (found[key] ||= { hits: 0, sum: 0, count: 0, buckets: [] });
    if (name === "mockery_requests_total") row.hits += Number(value);
    else if (name === "mockery_request_duration_seconds_sum") row.sum = Number(value);
    else if (name === "mockery_request_duration_seconds_count") row.count = Number(value);
    else if (name === "mockery_request_duration_seconds_bucket") row.buckets.push([l.le, Number(value)]);
  }
  return found;
}

function histogram(buckets) {
  if (!buckets.length) return "-";
  const counts = buckets.map(([, n], i) => n - (i ? buckets[i - 1][1] : 0));
  const top = Math.max(...counts, 1);
  const label = buckets.map(([le], i) => `≤${le}s: ${counts[i]}`).join(", ");
  return el("span", { class: "histogram", role: "img", "aria-label": label, title: label },
    counts.map((n) => el("span", { class: `h${Math.round((n / top) * 10)}` })));
}

export function routeRows(routes, metrics) {
  return routes.map((route) => {
    const m = metrics[`${route.service} ${route.name}`] || { hits: 0, count: 0, sum: 0, buckets: [] };
    return el("tr", {},
      el("td", {}, route.service),
      el("td", {}, route.methods.join(", ")),
      el("td", {}, route.path),
      el("td", {}, route.name),
      el("td", {}, route.kind),
      el("td", {}, route.conditions),
      el("td", { title: route.file }, `${route.file.split(/[\\/]/).pop()}:${route.line}:${route.column}`),
      el("td", {}, String(m.hits)),
      el("td", {}, m.count ? `${((m.sum / m.count) * 1000).toFixed(2)} ms` : "-"),
      el("td", {}, histogram(m.buckets)));
  });
}

export function reloadReport(report) {
  const error = report.last_error;
  return [
    facts([
      ["Reload generation", String(report.generation)],
      ["Last reload", report.reloaded_at ? new Date(report.reloaded_at * 1000).toLocaleString() : "none since start"],
      ["Reload error", error ? `${error.count} error(s)` : "none"],
    ]),
    error ? el("div", { class: "error", role: "alert" },
      el("p", {}, "The last reload failed; the previous specs are still served."),
      el("ul", {}, (error.errors || []).map((e) =>
        el("li", {}, `${e.file}:${e.line}:${e.column}: ${e.path ? e.path + ": " : ""}${e.message}`))),
      el("pre", {}, error.message)) : null,
  ];
}
