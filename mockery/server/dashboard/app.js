// The dashboard: views over the admin API, the live journal over server-sent events.
import { ADMIN, ApiError, call, el, json } from "./util.js";
import { detail, journalItem, parseMetrics, passes, reloadReport, routeRows } from "./views.js";

const $ = (selector) => document.querySelector(selector);
const KEPT = 1000;

const state = {
  entries: [], // newest last
  selected: null,
  services: new Map(), // name -> {url, shared, resources}
  routes: [],
  dropped: 0,
  stream: null,
  data: { resource: null, page: 1, total: null },
};

const context = {
  services: state.services,
  routeOf: (service, name) => state.routes.find((r) => r.service === service && r.name === name) || null,
};

function say(text) {
  $("#status").textContent = text;
}

function failed(error) {
  if (error instanceof ApiError && error.status === 401) return showLogin();
  say(String(error.message || error));
}

// --- views and keyboard navigation ---------------------------------------------------------------------------
const VIEWS = ["requests", "routes", "data", "control"];

function show(view) {
  if (!VIEWS.includes(view)) view = "requests";
  for (const name of VIEWS) $(`#view-${name}`).hidden = name !== view;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (view === "routes") loadRoutes().catch(failed);
  if (view === "data") loadRecords().catch(failed);
  if (view === "control") loadControl().catch(failed);
}

window.addEventListener("hashchange", () => show(location.hash.slice(1)));

// Up/Down (and j/k) move through the journal; Enter on a row opens it.
$("#journal").addEventListener("keydown", (event) => {
  const buttons = [...document.querySelectorAll("#journal button")];
  const at = buttons.indexOf(document.activeElement);
  const step = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 }[event.key];
  if (step === undefined || at < 0) return;
  event.preventDefault();
  const next = buttons[Math.min(buttons.length - 1, Math.max(0, at + step))];
  next.focus();
  next.click();
});

// --- login -----------------------------------------------------------------------------------------------------
function showLogin() {
  $("#login").hidden = false;
  for (const name of VIEWS) $(`#view-${name}`).hidden = true;
  say("Sign in with the admin token.");
  $("#token").focus();
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await call(`${ADMIN}/ui/login`, { method: "POST", body: new URLSearchParams({ token: $("#token").value }) });
    $("#token").value = "";
    $("#login").hidden = true;
    $("#login-error").textContent = "";
    await start();
  } catch (error) {
    $("#login-error").textContent = error.message;
  }
});

// --- the live journal ------------------------------------------------------------------------------------------
function filterValues() {
  const form = new FormData($("#filters"));
  return {
    service: form.get("service"), method: form.get("method"), status: form.get("status"),
    path: form.get("path"), route: form.get("route"), unmatched: form.get("unmatched") === "on",
  };
}

function renderJournal() {
  const filter = filterValues();
  const shown = state.entries.filter((entry) => passes(entry, filter)).reverse();
  $("#journal").replaceChildren(...shown.map((entry) => journalItem(entry, entry === state.selected, choose)));
  const dropped = state.dropped ? `, ${state.dropped} dropped by a slow connection` : "";
  $("#journal-count").textContent = `${shown.length} of ${state.entries.length} requests shown${dropped}`;
}

function choose(entry) {
  state.selected = entry;
  $("#detail").replaceChildren(...detail(entry, context).filter(Boolean));
  for (const button of document.querySelectorAll("#journal button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.id) === entry.id));
  }
}

function listen() {
  if (state.stream) state.stream.close();
  const stream = new EventSource(`${ADMIN}/requests/stream`);
  state.stream = stream;
  stream.addEventListener("call", (event) => {
    const entry = JSON.parse(event.data);
    if (state.entries.length && state.entries[state.entries.length - 1].id >= entry.id) return;
    state.entries.push(entry);
    if (state.entries.length > KEPT) state.entries.shift();
    renderJournal();
  });
  stream.addEventListener("dropped", (event) => {
    state.dropped = JSON.parse(event.data).dropped;
    renderJournal();
  });
  stream.addEventListener("open", () => say("Live: new requests appear as they arrive."));
  // A stream ends every few seconds and the browser reconnects at once: only a closed one is news.
  stream.addEventListener("error", () => {
    if (stream.readyState === EventSource.CLOSED) say("The journal's stream is closed: reload the page.");
  });
}

$("#filters").addEventListener("input", renderJournal);
$("#filters").addEventListener("submit", (event) => event.preventDefault());
$("#clear-journal").addEventListener("click", async () => {
  try {
    await call(`${ADMIN}/requests`, { method: "DELETE" });
    state.entries = [];
    state.selected = null;
    renderJournal();
    say("Journal cleared.");
  } catch (error) {
    failed(error);
  }
});

// --- services and routes ---------------------------------------------------------------------------------------
async function loadServices() {
  const { data } = await call(`${ADMIN}/services`);
  const shared = new Set(data.listeners.filter((l) => l.shared).flatMap((l) => l.services));
  state.services.clear();
  for (const service of data.services) {
    state.services.set(service.name, { ...service, shared: shared.has(service.name) });
  }
  const select = $("#filters select[name=service]");
  select.replaceChildren(el("option", { value: "" }, "any"), ...data.services.map((s) => el("option", {}, s.name)));
  const resources = data.services.flatMap((s) => s.resources.map((r) => ({ service: s, resource: r })));
  $("#resource").replaceChildren(...resources.map(({ service, resource }) =>
    el("option", { value: `${service.name} ${resource.name}` }, `${service.name}: ${resource.name}`)));
  const routes = await call(`${ADMIN}/routes`);
  state.routes = routes.data.routes;
  $("#services").replaceChildren(el("ul", {}, data.services.map((s) =>
    el("li", {}, el("strong", {}, s.name), ` at ${s.url} (${s.file}), ${s.routes.length} routes, `,
      `${s.resources.length} resources`))));
}

async function loadRoutes() {
  await loadServices();
  const [metrics, reload] = await Promise.all([call(`${ADMIN}/metrics`), call(`${ADMIN}/reload`)]);
  $("#routes-table tbody").replaceChildren(...routeRows(state.routes, parseMetrics(metrics.data || "")));
  $("#reload").replaceChildren(...reloadReport(reload.data).filter(Boolean));
}

// --- the fake database, through each resource's REST API -------------------------------------------------------
function chosenResource() {
  const value = $("#resource").value;
  if (!value) return null;
  const [serviceName, name] = value.split(" ");
  const service = state.services.get(serviceName);
  const resource = service.resources.find((r) => r.name === name);
  const base = service.shared ? service.base_path : service.url;
  return { service, resource, url: base + resource.path };
}

async function loadRecords() {
  const chosen = chosenResource();
  if (!chosen) {
    $("#records tbody").replaceChildren(el("tr", {}, el("td", {}, "No resources are served.")));
    return;
  }
  const limit = Math.max(1, Number($("#data-limit").value) || 10);
  const query = new URLSearchParams($("#data-query").value.trim().replace(/^\?/, ""));
  query.set("_page", String(state.data.page));
  query.set("_limit", String(limit));
  const { data, headers } = await call(`${chosen.url}?${query}`);
  const records = Array.isArray(data) ? data : [data];
  const total = Number(headers.get("x-total-count") || records.length);
  const pages = Math.max(1, Math.ceil(total / limit));
  $("#page-label").textContent = `page ${state.data.page} of ${pages}, ${total} records`;
  $("#prev-page").disabled = state.data.page <= 1;
  $("#next-page").disabled = state.data.page >= pages;
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  $("#records thead").replaceChildren(el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c)),
    el("th", { scope: "col" }, "Actions")));
  $("#records tbody").replaceChildren(...records.map((record) => el("tr", {},
    columns.map((c) => el("td", {}, typeof record[c] === "object" ? JSON.stringify(record[c]) : String(record[c] ?? ""))),
    el("td", {},
      el("button", { type: "button", class: "edit", onclick: () => edit(chosen, record) }, `Edit ${record.id}`), " ",
      el("button", { type: "button", class: "delete", onclick: () => remove(chosen, record) }, `Delete ${record.id}`)))));
}

function edit(chosen, record) {
  const editor = $("#editor");
  editor.hidden = false;
  editor.dataset.url = `${chosen.url}/${encodeURIComponent(record.id)}`;
  $("#editor-title").textContent = `Edit ${chosen.resource.name} ${record.id}`;
  $("#editor-text").value = JSON.stringify(record, null, 2);
  $("#editor-error").textContent = "";
  $("#editor-text").focus();
}

async function remove(chosen, record) {
  try {
    await call(`${chosen.url}/${encodeURIComponent(record.id)}`, { method: "DELETE" });
    say(`Deleted ${chosen.resource.name} ${record.id}.`);
    await loadRecords();
  } catch (error) {
    failed(error);
  }
}

$("#editor").addEventListener("submit", async (event) => {
  event.preventDefault();
  let record;
  try {
    record = JSON.parse($("#editor-text").value);
  } catch (error) {
    $("#editor-error").textContent = `Not JSON: ${error.message}`;
    return;
  }
  try {
    await call($("#editor").dataset.url, json("PUT", record));
    $("#editor").hidden = true;
    say("Saved.");
    await loadRecords();
  } catch (error) {
    const errors = error.problem && error.problem.errors;
    $("#editor-error").textContent = error.message +
      (Array.isArray(errors) ? " " + errors.map((e) => `${e.field}: ${e.message}`).join("; ") : "");
  }
});
$("#editor-cancel").addEventListener("click", () => { $("#editor").hidden = true; });
$("#data-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.data.page = 1;
  loadRecords().catch(failed);
});
$("#prev-page").addEventListener("click", () => { state.data.page -= 1; loadRecords().catch(failed); });
$("#next-page").addEventListener("click", () => { state.data.page += 1; loadRecords().catch(failed); });

// --- control: scenarios, profile, reset ------------------------------------------------------------------------
async function loadControl() {
  const [scenarios, profile] = await Promise.all([call(`${ADMIN}/scenarios`), call(`${ADMIN}/profile`)]);
  const list = scenarios.data.scenarios;
  $("#scenarios").replaceChildren(list.length ? el("ul", {}, list.map((scenario) => {
    const select = el("select", { "aria-label": `State of ${scenario.name}`, class: "scenario-state" },
      scenario.states.map((s) => el("option", { selected: s === scenario.state }, s)));
    return el("li", {},
      el("form", {
        class: "filters", "data-scenario": scenario.name,
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const url = `${ADMIN}/scenarios/${encodeURIComponent(scenario.name)}`;
            const { data } = await call(url, json("PUT", { state: select.value }));
            say(`Scenario ${data.name} is now ${data.state}.`);
            await loadControl();
          } catch (error) {
            failed(error);
          }
        },
      },
        el("strong", {}, scenario.name), ` (now: ${scenario.state})`, select,
        el("button", { type: "submit" }, `Set ${scenario.name}`)));
  })) : el("p", {}, "No route uses a scenario."));
  const current = profile.data.profile;
  $("#profile").replaceChildren(el("option", { value: "", selected: current === null }, "none"),
    ...profile.data.profiles.map((p) => el("option", { selected: p === current }, p)));
}

$("#profile-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const { data } = await call(`${ADMIN}/profile`, json("PUT", { profile: $("#profile").value || null }));
    say(`Profile: ${data.profile || "none"}.`);
  } catch (error) {
    failed(error);
  }
});

$("#reset").addEventListener("click", async () => {
  try {
    await call(`${ADMIN}/reset`, { method: "POST" });
    state.entries = [];
    state.selected = null;
    renderJournal();
    say("The server is back to its start.");
    await loadControl();
  } catch (error) {
    failed(error);
  }
});

// --- start -----------------------------------------------------------------------------------------------------
async function start() {
  try {
    await loadServices();
  } catch (error) {
    failed(error);
    return;
  }
  show(location.hash.slice(1));
  renderJournal();
  listen();
  document.body.dataset.ready = "true";
}

start();
