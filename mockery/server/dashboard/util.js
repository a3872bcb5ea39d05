// Small helpers: building elements, calling the admin API, copy-as-curl.

export const ADMIN = "/__mockery";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? `${status} ${problem.title}: ${problem.detail}` : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// fetch() that answers parsed JSON (or text, or null) and throws ApiError for a status of 400 and more.
export async function call(url, options = {}) {
  const answer = await fetch(url, { credentials: "same-origin", ...options });
  const type = answer.headers.get("content-type") || "";
  const text = await answer.text();
  const data = text && type.includes("json") ? JSON.parse(text) : text || null;
  if (!answer.ok) throw new ApiError(answer.status, typeof data === "object" ? data : null);
  return { data, headers: answer.headers, status: answer.status };
}

export const json = (method, body) => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

// el("p", {class: "x"}, "text", child...): children are nodes or text (never parsed as HTML).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
}

export function pairsTable(caption, pairs) {
  if (!pairs.length) return el("p", {}, `${caption}: none`);
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Value"))),
    el("tbody", {}, pairs.map(([name, value]) => el("tr", {}, el("td", {}, name), el("td", {}, value)))));
}

export function pretty(text) {
  if (!text) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const quote = (text) => "'" + String(text).replaceAll("'", "'\\''") + "'";
const SKIPPED = new Set(["host", "content-length", "connection", "accept-encoding"]);

// A journaled request as a curl command against the origin it reached.
export function curl(entry, origin) {
  const parts = ["curl", "-X", entry.method, quote(origin + entry.url)];
  for (const [name, value] of Object.entries(entry.headers)) {
    if (!SKIPPED.has(name)) parts.push("-H", quote(`${name}: ${value}`));
  }
  if (entry.body) parts.push("--data-binary", quote(entry.body));
  return parts.join(" ");
}
