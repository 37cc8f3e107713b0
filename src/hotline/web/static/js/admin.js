// The administration pages (/admin/<section>): a table of the section's records from the
// REST API, and a form (in a modal dialog; the tenant's settings inline) to add, change or
// remove one. Every save is one request, so the server accepts the whole change or none of
// it; its refusals are shown beside the fields they name (pydantic's `loc` paths, or the
// "queue 'x' skills.y: ..." paths of the configuration checks), anything else above the form.
// Supervisors get the same pages read-only.

import { Words, el, signOut } from "./i18n.js";
import { makeField } from "./admin_fields.js";
import { SOURCES, sections } from "./admin_sections.js";
import { ADMIN_WORDS } from "./admin_words.js";
import { Refusal, caller } from "./admin_api.js";

const words = new Words(ADMIN_WORDS);
const $ = (id) => document.getElementById(id);
const main = $("admin");
const sectionKey = main.dataset.section;
const readOnly = main.dataset.readOnly === "true";
const section = sections(words)[sectionKey];
const keyField = section.keyField || section.key;

const state = { records: [], lists: {}, editing: null, opener: null, fields: [] };

// -- talking to the API -----------------------------------------------------------------------

const call = caller(() => words.t("signed_out"));

function recordUrl(record) {
  return `${section.api}/${encodeURIComponent(record[section.key])}`;
}

// -- where the API's problems belong --------------------------------------------------------

// "queue 'x' overflow.to: 'zz' is not a queue", "DNIS route '1' flow: ...", joined by "; ".
const PROBLEM = /^([A-Za-z][A-Za-z -]*?) '(?:[^']*)'(?: ([^:]+?))?: (.*)$/s;
const NEXT_PROBLEM = /; (?=(?:new )?[A-Za-z][A-Za-z -]*? '[^']*'(?: [^:;]+)?: )/;

// `skills['a-b'].level`, `business_hours.mon[0]` as ["skills", "a-b", "level"], [..., 0].
function documentPath(text) {
  const path = [];
  for (const [, plain, index, quoted] of text.matchAll(/([A-Za-z_]\w*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/g)) {
    path.push(plain ?? (index !== undefined ? Number(index) : quoted));
  }
  return path;
}

// The API's refusal as problems, each with the path of the field it is about (or null).
function problems(refusal) {
  const { detail } = refusal;
  if (Array.isArray(detail)) {
    return detail.map((item) => ({
      path: (item.loc || []).filter((step) => step !== "body"),
      message: String(item.msg || "").replace(/^Value error, /, ""),
    }));
  }
  const text = typeof detail === "string" ? detail : JSON.stringify(detail);
  if (refusal.status === 409 && text.startsWith("the running contact center")) {
    return [{ path: null, message: text }];
  }
  return text.split(NEXT_PROBLEM).map((part) => {
    const match = PROBLEM.exec(part);
    const ours = part.startsWith(`${section.entity} '`);
    if (match && ours && match[2]) return { path: documentPath(match[2]), message: match[3] };
    if (ours && /already exists/.test(part)) return { path: [keyField], message: part };
    return { path: null, message: part };
  });
}

// The field `path` points into, and the path inside it.
function fieldAt(fields, path) {
  if (!path || path.length === 0) return null;
  const joined = path.join(".");
  const field = [...fields]
    .sort((a, b) => b.spec.name.length - a.spec.name.length)
    .find((candidate) => joined === candidate.spec.name || joined.startsWith(`${candidate.spec.name}.`));
  return field ? { field, rest: path.slice(field.spec.name.split(".").length) } : null;
}

// Show each problem by its field, the rest in `formError`; focus the first field at fault.
function showProblems(refusal, fields, formError) {
  const unplaced = [];
  let first = null;
  for (const problem of problems(refusal)) {
    const found = fieldAt(fields, problem.path);
    if (found && !found.field.root.hidden) {
      const control = found.field.target(found.rest);
      found.field.showError(problem.message, control);
      first = first || control;
    } else {
      unplaced.push(problem.path && problem.path.length
        ? `${problem.path.join(".")}: ${problem.message}` : problem.message);
    }
  }
  formError.textContent = unplaced.length
    ? words.t("not_saved", { problem: unplaced.join("; ") }) : words.t("check_fields");
  formError.hidden = false;
  if (first) first.focus();
}

// -- values in and out of forms ---------------------------------------------------------------

function valueAt(record, name) {
  return name.split(".").reduce((value, step) => (value == null ? undefined : value[step]), record);
}

function putAt(body, name, value) {
  const steps = name.split(".");
  let place = body;
  for (const step of steps.slice(0, -1)) {
    if (typeof place[step] !== "object" || place[step] === null) place[step] = {};
    place = place[step];
  }
  place[steps.at(-1)] = value;
}

function buildFields(container, mode) {
  const context = { lists: state.lists };
  const fields = [];
  for (const spec of section.fields) {
    if (spec.onlyOnEdit && mode === "create") continue;
    const field = makeField({ ...spec, required: spec.required || (mode === "create" && spec.requiredOnCreate) },
      words, context);
    if (spec.fixedOnEdit && mode === "edit") {
      for (const control of field.controls()) control.dataset.fixed = "true";
    }
    fields.push(field);
    container.append(field.root);
  }
  return fields;
}

function fill(fields, record) {
  const shown = record && section.show ? section.show(record) : record;
  for (const field of fields) {
    const value = shown ? valueAt(shown, field.spec.name) : field.spec.default;
    field.set(value === undefined ? field.spec.default : value);
  }
}

// What to send: every field's value (the changed ones only when `before` is given).
function bodyOf(fields, before) {
  let body = {};
  for (const field of fields) {
    if (field.controls().some((control) => control.dataset.fixed === "true")) continue;
    const value = field.get();
    if (value !== undefined) putAt(body, field.spec.name, value);
  }
  if (section.finish) body = section.finish(body);
  if (before) {
    for (const key of Object.keys(body)) {
      if (JSON.stringify(body[key]) === JSON.stringify(before[key] ?? null)) delete body[key];
    }
  }
  return body;
}

function checkInBrowser(fields) {
  let first = null;
  for (const field of fields) {
    if (!field.checkInBrowser() && !first) first = field;
  }
  if (first) first.target().focus();
  return first === null;
}

function clearProblems(fields, formError) {
  for (const field of fields) field.clearError();
  formError.hidden = true;
  formError.textContent = "";
}

// Enter in a select or on a checkbox saves too (text inputs do it by themselves).
function enterSubmits(form) {
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    if (target.tagName === "SELECT" || (target.tagName === "INPUT" && target.type === "checkbox")) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

// -- the page's messages ----------------------------------------------------------------------

function say(text) {
  $("status").textContent = text;
}

function alarm(text) {
  $("message-text").textContent = text;
  $("message").hidden = false;
  $("message").focus();
}

function nameOf(record) {
  return String(record[keyField] ?? record[section.key]);
}

// -- the table --------------------------------------------------------------------------------

function button(label, className, onClick, context) {
  const element = el("button", { type: "button", className, dataset: { i18n: label } }, words.t(label));
  element.setAttribute("aria-label", `${words.t(label)} ${context}`);
  element.addEventListener("click", onClick);
  return element;
}

function drawTable() {
  const table = $("records");
  const head = el("tr", {}, ...section.columns.map(([, label]) => el("th", { scope: "col", dataset: { i18n: label } }, words.t(label))),
    el("th", { scope: "col", className: "actions", dataset: { i18n: "actions" } }, words.t("actions")));
  table.tHead.replaceChildren(head);
  const rows = state.records.map((record) => {
    const name = nameOf(record);
    const cells = section.columns.map(([column, , format]) => {
      const value = record[column];
      return el("td", { dataset: { column } }, format ? format(value, record) : String(value ?? ""));
    });
    const actions = readOnly
      ? [button("view", "", (event) => openEditor(record, event.currentTarget), name)]
      : [button("edit", "", (event) => openEditor(record, event.currentTarget), name),
        button("delete", "stop", (event) => confirmDelete(record, event.currentTarget), name)];
    return el("tr", { dataset: { key: name } }, ...cells, el("td", { className: "actions" }, ...actions));
  });
  table.tBodies[0].replaceChildren(...rows);
  $("empty").hidden = rows.length > 0;
  $("count").textContent = rows.length === 1 ? words.t("count_one") : words.t("count", { count: rows.length });
}

async function loadLists() {
  const names = section.sources || [];
  await Promise.all(names.map(async (name) => {
    try {
      state.lists[name] = SOURCES[name].names(await call("GET", SOURCES[name].api));
    } catch {
      state.lists[name] = [];  // a select without choices; saving names the problem
    }
  }));
}

async function loadRecords() {
  state.records = await call("GET", section.api);
  drawTable();
}

// -- the editor dialog ------------------------------------------------------------------------

function openEditor(record, opener) {
  const dialog = $("editor");
  const mode = record ? "edit" : "create";
  state.editing = record;
  state.opener = opener;
  const body = $("editor-fields");
  body.replaceChildren();
  state.fields = buildFields(body, mode);
  fill(state.fields, record);
  for (const field of state.fields) field.lock(readOnly);
  clearProblems(state.fields, $("editor-error"));
  const title = $("editor-title");
  const sectionTitle = words.t(`section_${sectionKey}`);
  title.textContent = !record ? words.t("new_record", { section: sectionTitle })
    : words.t(readOnly ? "view_record" : "edit_record", { name: nameOf(record) });
  $("editor-save").hidden = readOnly;
  const cancel = $("editor-cancel");
  cancel.dataset.i18n = readOnly ? "close" : "cancel";
  cancel.textContent = words.t(cancel.dataset.i18n);
  dialog.showModal();
  const first = state.fields.flatMap((field) => field.controls()).find((control) => !control.disabled);
  (first || $("editor-cancel")).focus();
}

function closeEditor() {
  const dialog = $("editor");
  if (dialog.open) dialog.close();
}

async function saveEditor(event) {
  event.preventDefault();
  if (readOnly) return;
  const fields = state.fields;
  const formError = $("editor-error");
  clearProblems(fields, formError);
  if (!checkInBrowser(fields)) {
    formError.textContent = words.t("check_fields");
    formError.hidden = false;
    return;
  }
  const record = state.editing;
  const body = bodyOf(fields, record);
  const save = $("editor-save");
  save.disabled = true;
  try {
    const saved = record
      ? (Object.keys(body).length ? await call("PATCH", recordUrl(record), body) : record)
      : await call("POST", section.api, body);
    closeEditor();
    say(words.t("saved", { name: nameOf(saved) }));
    await refresh();
    const row = document.querySelector(`#records tr[data-key="${CSS.escape(nameOf(saved))}"] button`);
    if (row) row.focus();
  } catch (error) {
    if (error instanceof Refusal) showProblems(error, fields, formError);
    else {
      formError.textContent = words.t("unreachable");
      formError.hidden = false;
    }
  } finally {
    save.disabled = false;
  }
}

function wireEditor() {
  $("editor").addEventListener("close", () => {
    state.editing = null;
    if (state.opener && state.opener.isConnected) state.opener.focus();
    else $("add")?.focus();
  });
  $("editor-cancel").addEventListener("click", closeEditor);
  enterSubmits($("editor-form"));
  $("editor-form").addEventListener("submit", saveEditor);
}

// -- deleting ---------------------------------------------------------------------------------

function confirmDelete(record, opener) {
  const dialog = $("confirm");
  state.editing = record;
  state.opener = opener;
  $("confirm-title").textContent = words.t("confirm_title", { name: nameOf(record) });
  dialog.showModal();
  $("confirm-cancel").focus();
}

async function deleteConfirmed(event) {
  event.preventDefault();
  const record = state.editing;
  const name = nameOf(record);
  $("confirm").close();
  $("message").hidden = true;
  try {
    await call("DELETE", recordUrl(record));
    say(words.t("deleted", { name }));
    await refresh();
  } catch (error) {
    const problem = error instanceof Refusal
      ? problems(error).map((item) => (item.path && item.path.length
        ? `${item.path.join(".")}: ${item.message}` : item.message)).join("; ")
      : words.t("unreachable");
    alarm(words.t("delete_refused", { name, problem }));
  }
}

function wireConfirm() {
  $("confirm-cancel").addEventListener("click", () => $("confirm").close());
  $("confirm").addEventListener("close", () => {
    if (state.opener && state.opener.isConnected && $("message").hidden) state.opener.focus();
  });
  $("confirm-form").addEventListener("submit", deleteConfirmed);
}

// -- the tenant's settings (one record, edited in place) -------------------------------------

async function startSettings() {
  const form = $("settings");
  const formError = $("settings-error");
  const fields = buildFields($("settings-fields"), "edit");
  state.fields = fields;
  const timeZones = el("datalist", { id: "time-zones" },
    ...["UTC", ...Intl.supportedValuesOf("timeZone")].map((zone) => el("option", { value: zone })));
  document.body.append(timeZones);
  const show = (tenant) => {
    state.editing = tenant;
    fill(fields, tenant);
    for (const field of fields) field.lock(readOnly);
    clearProblems(fields, formError);
  };
  show(await call("GET", section.api));
  if (readOnly) return;
  enterSubmits(form);
  const revert = () => {
    show(state.editing);
    say("");
  };
  $("settings-reload").addEventListener("click", revert);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") revert();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(fields, formError);
    say("");
    if (!checkInBrowser(fields)) {
      formError.textContent = words.t("check_fields");
      formError.hidden = false;
      return;
    }
    const body = bodyOf(fields, state.editing);
    const save = $("settings-save");
    save.disabled = true;
    try {
      if (Object.keys(body).length) show(await call("PATCH", section.api, body));
      say(words.t("settings_saved"));
    } catch (error) {
      if (error instanceof Refusal) showProblems(error, fields, formError);
      else {
        formError.textContent = words.t("unreachable");
        formError.hidden = false;
      }
    } finally {
      save.disabled = false;
    }
  });
}

// -- start ------------------------------------------------------------------------------------

async function refresh() {
  await loadLists();
  await loadRecords();
}

async function start() {
  words.start();
  $("sign-out").addEventListener("click", signOut);
  $("message-close").addEventListener("click", () => {
    $("message").hidden = true;
  });
  try {
    await loadLists();
    if (section.single) {
      await startSettings();
    } else {
      wireEditor();
      wireConfirm();
      const add = $("add");
      if (add) add.addEventListener("click", (event) => openEditor(null, event.currentTarget));
      words.onChange(drawTable);
      await loadRecords();
    }
    main.dataset.loaded = "true";
  } catch (error) {
    alarm(error instanceof Refusal ? error.message : words.t("unreachable"));
  }
}

start();
