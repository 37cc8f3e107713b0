// The ticket types' administration page (/admin/ticket_types): for each of the five types,
// its SLA (the tenant's own in minutes, or the type's default) and the custom fields its
// tickets carry (src/hotline/api/ticket_types.py, src/hotline/crm/ticket_fields.py). Admins
// add, remove and reorder the fields in the page's dialog and save the type as a whole with
// one PUT; supervisors see the same dialog read-only. The server's refusals appear beside the
// control they are about: pydantic's `loc` paths (["fields", 2, "kind"]) and the field
// checks' messages ("field 'slot': a choice field needs...", "field 3: name ... ").

import { Words, combine, el, signOut } from "./i18n.js";
import { ADMIN_WORDS } from "./admin_words.js";
import { Refusal, caller } from "./admin_api.js";

const TT_ADMIN_WORDS = {
  en: {
    tt_admin_type: "Type", tt_admin_sla: "SLA", tt_admin_fields: "Custom fields",
    tt_admin_type_repair: "Repair", tt_admin_type_complaint: "Complaint",
    tt_admin_type_suggestion: "Suggestion", tt_admin_type_appointment: "Appointment",
    tt_admin_type_business: "Business",
    tt_admin_default: "{sla} (default)", tt_admin_no_fields: "(none)",
    tt_admin_days: "{n} d", tt_admin_hours: "{n} h", tt_admin_minutes: "{n} min",
    tt_admin_edit: "Ticket type: {name}",
    tt_admin_sla_minutes: "SLA (minutes)",
    tt_admin_sla_placeholder: "blank: the default",
    tt_admin_sla_placeholder_now: "blank: the default ({minutes})",
    tt_admin_h_sla: "How long a ticket of this type may take from creation to resolution.",
    tt_admin_name: "Name", tt_admin_label: "Label", tt_admin_kind: "Kind",
    tt_admin_required: "Required", tt_admin_choices: "Choices (one a line)",
    tt_admin_max_length: "Longest text",
    tt_admin_kind_text: "Text", tt_admin_kind_number: "Number", tt_admin_kind_boolean: "Yes/no",
    tt_admin_kind_choice: "Choice", tt_admin_kind_date: "Date",
    tt_admin_add_field: "Add field", tt_admin_up: "Move up", tt_admin_down: "Move down",
    tt_admin_remove: "Remove", tt_admin_field_n: "field {n}",
    tt_admin_h_fields: "Name: letters, digits and _, not starting with a digit; what the API "
      + "and reports call the field. Label: what agents see.",
    tt_admin_no_field_rows: "No custom fields: tickets of this type have only the usual ones.",
    tt_admin_saved: "Saved {name}.",
  },
  zh: {
    tt_admin_type: "类型", tt_admin_sla: "处理时限", tt_admin_fields: "自定义字段",
    tt_admin_type_repair: "抢修", tt_admin_type_complaint: "投诉",
    tt_admin_type_suggestion: "建议", tt_admin_type_appointment: "预约",
    tt_admin_type_business: "业务办理",
    tt_admin_default: "{sla}（默认）", tt_admin_no_fields: "（无）",
    tt_admin_days: "{n} 天", tt_admin_hours: "{n} 小时", tt_admin_minutes: "{n} 分钟",
    tt_admin_edit: "工单类型：{name}",
    tt_admin_sla_minutes: "处理时限（分钟）",
    tt_admin_sla_placeholder: "留空：使用默认值",
    tt_admin_sla_placeholder_now: "留空：使用默认值（{minutes}）",
    tt_admin_h_sla: "此类工单从创建到解决的时限。",
    tt_admin_name: "字段名", tt_admin_label: "显示名称", tt_admin_kind: "类型",
    tt_admin_required: "必填", tt_admin_choices: "选项（每行一个）",
    tt_admin_max_length: "最大长度",
    tt_admin_kind_text: "文本", tt_admin_kind_number: "数字", tt_admin_kind_boolean: "是/否",
    tt_admin_kind_choice: "选项", tt_admin_kind_date: "日期",
    tt_admin_add_field: "添加字段", tt_admin_up: "上移", tt_admin_down: "下移",
    tt_admin_remove: "删除", tt_admin_field_n: "第 {n} 个字段",
    tt_admin_h_fields: "字段名：字母、数字和 _，不以数字开头，供接口和报表使用。显示名称：座席看到的名称。",
    tt_admin_no_field_rows: "没有自定义字段：此类工单只有通用字段。",
    tt_admin_saved: "已保存 {name}。",
  },
};

const API = "/api/ticket_types";
const KINDS = ["text", "number", "boolean", "choice", "date"];
const IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
const MAX_SLA_MINUTES = 366 * 24 * 60;
const MAX_FIELDS = 50;

const words = new Words(combine(ADMIN_WORDS, TT_ADMIN_WORDS));
const $ = (id) => document.getElementById(id);
const main = $("admin");
const readOnly = main.dataset.readOnly === "true";

const state = { types: [], editing: null, opener: null, rows: [], sla: null };

// -- talking to the API -----------------------------------------------------------------------

const call = caller(() => words.t("signed_out"));

// -- where the API's problems belong ----------------------------------------------------------

// The field checks' messages, joined by "; ": "field 'slot': ...", "field 3: name ...",
// "field 'x' is defined twice", "a type may have at most 50 fields", "sla_minutes must...".
const NEXT_PROBLEM = /; (?=field |a type |sla_minutes |the fields )/;
const ABOUT_FIELD = /^field (?:'((?:[^'\\]|\\.)*)'|(\d+))(?::\s*| )(.*)$/s;

// Which control of a field row a message is about.
function controlOf(message) {
  if (/^(is defined twice|name\b)/.test(message)) return "name";
  if (/^kind\b/.test(message)) return "kind";
  if (/^the label\b/.test(message)) return "label";
  if (/^required\b/.test(message)) return "required";
  if (/max_length/.test(message)) return "max_length";
  if (/choice/.test(message)) return "choices";
  return null;
}

// The refusal as problems: {row, control, message} for a field row, {sla: true, message} for
// the SLA, {message} for the rest.
function problems(refusal) {
  const { detail } = refusal;
  if (Array.isArray(detail)) {
    return detail.map((item) => {
      const path = (item.loc || []).filter((step) => step !== "body");
      const message = String(item.msg || "");
      if (path[0] === "sla_minutes") return { sla: true, message };
      if (path[0] === "fields" && Number.isInteger(path[1]) && state.rows[path[1]]) {
        return { row: state.rows[path[1]], control: path[2] ?? null, message };
      }
      return { message: path.length ? `${path.join(".")}: ${message}` : message };
    });
  }
  return String(refusal.message).split(NEXT_PROBLEM).map((part) => {
    if (part.startsWith("sla_minutes")) return { sla: true, message: part };
    const match = ABOUT_FIELD.exec(part);
    if (!match) return { message: part };
    const [, name, position, rest] = match;
    // A name defined twice belongs to its second row; other problems to its first.
    const named = state.rows.filter((row) => row.controls.name.value === name);
    const row = name !== undefined
      ? (rest.startsWith("is defined twice") ? named.at(-1) : named[0])
      : state.rows[Number(position) - 1];
    return row ? { row, control: controlOf(rest), message: part } : { message: part };
  });
}

// -- the dialog: the SLA and a row per field --------------------------------------------------

function text(key) {
  return el("span", { dataset: { i18n: key } }, words.t(key));
}

function errorSlot(id) {
  const error = el("p", { className: "field-error", id });
  error.hidden = true;
  return error;
}

function showError(error, control, message) {
  error.textContent = error.hidden ? message : `${error.textContent}; ${message}`;
  error.hidden = false;
  if (control) control.setAttribute("aria-invalid", "true");
}

function slaField(type) {
  const input = el("input", {
    type: "number", id: "tt-admin-sla", name: "sla_minutes", min: "1", max: String(MAX_SLA_MINUTES),
    step: "1", inputMode: "numeric", autocomplete: "off",
  });
  input.value = type.sla_overridden ? String(type.sla_minutes) : "";
  input.placeholder = type.sla_overridden ? words.t("tt_admin_sla_placeholder")
    : words.t("tt_admin_sla_placeholder_now", { minutes: type.sla_minutes });
  const error = errorSlot("tt-admin-sla-error");
  const hint = el("p", { className: "hint", id: "tt-admin-sla-hint", dataset: { i18n: "tt_admin_h_sla" } },
    words.t("tt_admin_h_sla"));
  input.setAttribute("aria-describedby", "tt-admin-sla-hint tt-admin-sla-error");
  const root = el("div", { className: "field tt-admin-sla", dataset: { field: "sla_minutes" } },
    el("label", { className: "field-label", htmlFor: input.id }, text("tt_admin_sla_minutes")), input, hint, error);
  return { root, input, error };
}

function kindSelect(kind) {
  const select = el("select", { name: "kind" },
    ...KINDS.map((each) => el("option", { value: each, dataset: { i18n: `tt_admin_kind_${each}` } },
      words.t(`tt_admin_kind_${each}`))));
  select.value = kind;
  return select;
}

function smallButton(key, symbol, onClick) {
  const button = el("button", { type: "button", className: "tt-admin-move", title: words.t(key) }, symbol);
  button.dataset.action = key;
  button.addEventListener("click", onClick);
  return button;
}

// One field definition as a row of controls.
function fieldRow(definition) {
  const controls = {
    name: el("input", { type: "text", name: "name", required: true, pattern: IDENTIFIER, maxLength: 64,
      autocomplete: "off", spellcheck: false, value: definition.name ?? "" }),
    label: el("input", { type: "text", name: "label", required: true, maxLength: 100, autocomplete: "off",
      value: definition.label ?? "" }),
    kind: kindSelect(definition.kind || "text"),
    required: el("input", { type: "checkbox", name: "required", checked: Boolean(definition.required) }),
    choices: el("textarea", { name: "choices", rows: 2, spellcheck: false, value: (definition.choices || []).join("\n") }),
    max_length: el("input", { type: "number", name: "max_length", min: "1", max: "1000", step: "1",
      inputMode: "numeric", autocomplete: "off", value: definition.max_length ?? "" }),
  };
  const row = { controls, error: errorSlot(""), buttons: [] };
  if (!readOnly) {
    row.buttons = [
      smallButton("tt_admin_up", "↑", () => moveRow(row, -1)),
      smallButton("tt_admin_down", "↓", () => moveRow(row, 1)),
      smallButton("tt_admin_remove", "✕", () => removeRow(row)),
    ];
    row.buttons[2].classList.add("stop");
  }
  row.root = el("div", { className: "tt-admin-row", role: "group" },
    controls.name, controls.label, controls.kind,
    el("span", { className: "tt-admin-required" }, controls.required),  // named by renumber()
    controls.choices, controls.max_length,
    el("span", { className: "tt-admin-buttons" }, ...row.buttons), row.error);
  controls.kind.addEventListener("change", () => lockRow(row));
  return row;
}

// Choices only for a choice field, a longest text only for a text field.
function lockRow(row) {
  const { controls } = row;
  for (const control of Object.values(controls)) control.disabled = readOnly;
  const kind = controls.kind.value;
  controls.choices.disabled = readOnly || kind !== "choice";
  controls.choices.required = kind === "choice";
  controls.max_length.disabled = readOnly || kind !== "text";
  // Out of sight but in place, so that the columns stay aligned.
  controls.choices.classList.toggle("tt-admin-unused", kind !== "choice");
  controls.max_length.classList.toggle("tt-admin-unused", kind !== "text");
}

// Labels say which field each control belongs to, as the rows move.
function renumber() {
  state.rows.forEach((row, index) => {
    const which = words.t("tt_admin_field_n", { n: index + 1 });
    row.root.dataset.index = String(index);
    row.root.setAttribute("aria-label", which);
    row.error.id = `tt-admin-row-${index}-error`;
    for (const [key, control] of Object.entries(row.controls)) {
      control.setAttribute("aria-label", `${words.t(`tt_admin_${key}`)}, ${which}`);
      control.setAttribute("aria-describedby", row.error.id);
    }
    for (const button of row.buttons) {
      button.setAttribute("aria-label", `${words.t(button.dataset.action)}, ${which}`);
      button.title = words.t(button.dataset.action);
    }
    if (row.buttons.length) {
      row.buttons[0].disabled = index === 0;
      row.buttons[1].disabled = index === state.rows.length - 1;
    }
  });
  $("tt-admin-empty").hidden = state.rows.length > 0;
  const add = $("tt-admin-add-field");
  if (add) add.disabled = state.rows.length >= MAX_FIELDS;
}

function drawRows() {
  $("tt-admin-rows").replaceChildren(...state.rows.map((row) => row.root));
  renumber();
}

function moveRow(row, step) {
  const from = state.rows.indexOf(row);
  const to = from + step;
  if (to < 0 || to >= state.rows.length) return;
  state.rows.splice(from, 1);
  state.rows.splice(to, 0, row);
  drawRows();
  const button = row.buttons[step < 0 ? 0 : 1];
  (button.disabled ? row.buttons[step < 0 ? 1 : 0] : button).focus();
}

function removeRow(row) {
  const index = state.rows.indexOf(row);
  state.rows.splice(index, 1);
  drawRows();
  const next = state.rows[Math.min(index, state.rows.length - 1)];
  (next ? next.controls.name : $("tt-admin-add-field")).focus();
}

function addRow() {
  const row = fieldRow({ kind: "text" });
  lockRow(row);
  state.rows.push(row);
  drawRows();
  row.controls.name.focus();
}

function fieldsEditor() {
  const head = el("div", { className: "tt-admin-row tt-admin-head", ariaHidden: "true" },
    ...["name", "label", "kind", "required", "choices", "max_length"].map((key) => text(`tt_admin_${key}`)));
  const add = readOnly ? null
    : el("button", { type: "button", id: "tt-admin-add-field", dataset: { i18n: "tt_admin_add_field" } },
      words.t("tt_admin_add_field"));
  if (add) add.addEventListener("click", addRow);
  const error = errorSlot("tt-admin-fields-error");
  return el("div", { className: "field field-wide tt-admin-fields", dataset: { field: "fields" } },
    el("span", { className: "field-label", id: "tt-admin-fields-label" }, text("tt_admin_fields")),
    el("p", { className: "hint", dataset: { i18n: "tt_admin_h_fields" } }, words.t("tt_admin_h_fields")),
    head,
    el("div", { id: "tt-admin-rows" }),
    el("p", { className: "muted", id: "tt-admin-empty", dataset: { i18n: "tt_admin_no_field_rows" } },
      words.t("tt_admin_no_field_rows")),
    add, error);
}

function typeName(type) {
  return words.t(`tt_admin_type_${type}`);
}

function openEditor(type, opener) {
  state.editing = type;
  state.opener = opener;
  state.sla = slaField(type);
  state.rows = type.fields.map(fieldRow);
  $("editor-fields").replaceChildren(state.sla.root, fieldsEditor());
  state.sla.input.disabled = readOnly;
  for (const row of state.rows) lockRow(row);
  drawRows();
  clearProblems();
  $("editor-title").textContent = words.t("tt_admin_edit", { name: typeName(type.type) });
  $("editor-save").hidden = readOnly;
  const cancel = $("editor-cancel");
  cancel.dataset.i18n = readOnly ? "close" : "cancel";
  cancel.textContent = words.t(cancel.dataset.i18n);
  $("editor").showModal();
  (readOnly ? cancel : state.sla.input).focus();
}

function clearProblems() {
  const errors = [state.sla.error, $("tt-admin-fields-error"), ...state.rows.map((row) => row.error)];
  for (const error of errors) {
    error.textContent = "";
    error.hidden = true;
  }
  for (const control of $("editor-fields").querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  $("editor-error").hidden = true;
  $("editor-error").textContent = "";
}

function showProblems(list) {
  const unplaced = [];
  let first = null;
  for (const problem of list) {
    if (problem.sla) {
      showError(state.sla.error, state.sla.input, problem.message);
      first = first || state.sla.input;
    } else if (problem.row) {
      const control = problem.row.controls[problem.control] || problem.row.controls.name;
      showError(problem.row.error, control, problem.message);
      first = first || control;
    } else {
      unplaced.push(problem.message);
    }
  }
  if (unplaced.length) showError($("tt-admin-fields-error"), null, unplaced.join("; "));
  $("editor-error").textContent = unplaced.length
    ? words.t("not_saved", { problem: unplaced.join("; ") }) : words.t("check_fields");
  $("editor-error").hidden = false;
  if (first) first.focus();
}

function checkInBrowser() {
  const found = [];
  if (!state.sla.input.checkValidity()) found.push({ sla: true, message: state.sla.input.validationMessage });
  for (const row of state.rows) {
    for (const [key, control] of Object.entries(row.controls)) {
      if (!control.disabled && !control.checkValidity()) {
        found.push({ row, control: key, message: control.validationMessage });
      }
    }
  }
  if (found.length) showProblems(found);
  return found.length === 0;
}

function definitionOf(row) {
  const { controls } = row;
  const kind = controls.kind.value;
  const longest = controls.max_length.value.trim();
  return {
    name: controls.name.value.trim(),
    label: controls.label.value,
    kind,
    required: controls.required.checked,
    choices: kind === "choice"
      ? controls.choices.value.split("\n").map((choice) => choice.trim()).filter(Boolean) : null,
    max_length: kind === "text" && longest !== "" ? Number(longest) : null,
  };
}

async function saveEditor(event) {
  event.preventDefault();
  if (readOnly) return;
  clearProblems();
  if (!checkInBrowser()) return;
  const type = state.editing;
  const sla = state.sla.input.value.trim();
  const body = { sla_minutes: sla === "" ? null : Number(sla), fields: state.rows.map(definitionOf) };
  const save = $("editor-save");
  save.disabled = true;
  try {
    await call("PUT", `${API}/${type.type}`, body);
    $("editor").close();
    say(words.t("tt_admin_saved", { name: typeName(type.type) }));
    await loadTypes();
    const button = document.querySelector(`#records tr[data-key="${type.type}"] button`);
    if (button) button.focus();
  } catch (error) {
    if (error instanceof Refusal) showProblems(problems(error));
    else {
      $("editor-error").textContent = words.t("unreachable");
      $("editor-error").hidden = false;
    }
  } finally {
    save.disabled = false;
  }
}

// Enter in a select or on a checkbox saves too (text inputs do it by themselves).
function wireEditor() {
  const form = $("editor-form");
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    if (target.tagName === "SELECT" || (target.tagName === "INPUT" && target.type === "checkbox")) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", saveEditor);
  $("editor-cancel").addEventListener("click", () => $("editor").close());
  $("editor").addEventListener("close", () => {
    state.editing = null;
    if (state.opener && state.opener.isConnected) state.opener.focus();
  });
}

// -- the table of types -----------------------------------------------------------------------

function say(message) {
  $("status").textContent = message;
}

function alarm(message) {
  $("message-text").textContent = message;
  $("message").hidden = false;
  $("message").focus();
}

// 240 as "4 h", 1500 as "1 d 1 h", 90 as "1 h 30 min".
function duration(minutes) {
  const parts = [];
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days) parts.push(words.t("tt_admin_days", { n: days }));
  if (hours) parts.push(words.t("tt_admin_hours", { n: hours }));
  if (rest || parts.length === 0) parts.push(words.t("tt_admin_minutes", { n: rest }));
  return parts.join(" ");
}

function drawTable() {
  const table = $("records");
  table.tHead.replaceChildren(el("tr", {},
    ...["tt_admin_type", "tt_admin_sla", "tt_admin_fields"].map((key) => el("th", { scope: "col", dataset: { i18n: key } }, words.t(key))),
    el("th", { scope: "col", className: "actions", dataset: { i18n: "actions" } }, words.t("actions"))));
  table.tBodies[0].replaceChildren(...state.types.map((type) => {
    const name = typeName(type.type);
    const action = readOnly ? "view" : "edit";
    const button = el("button", { type: "button", dataset: { i18n: action } }, words.t(action));
    button.setAttribute("aria-label", `${words.t(action)} ${name}`);
    button.addEventListener("click", (event) => openEditor(type, event.currentTarget));
    const sla = duration(type.sla_minutes);
    return el("tr", { dataset: { key: type.type } },
      el("td", { dataset: { column: "type" } }, name),
      el("td", { dataset: { column: "sla" } }, type.sla_overridden ? sla : words.t("tt_admin_default", { sla })),
      el("td", { dataset: { column: "fields" } }, type.fields.length
        ? type.fields.map((each) => `${each.label} (${each.name})`).join(", ") : words.t("tt_admin_no_fields")),
      el("td", { className: "actions" }, button));
  }));
  $("empty").hidden = state.types.length > 0;
  $("count").textContent = words.t("count", { count: state.types.length });
}

async function loadTypes() {
  state.types = await call("GET", API);
  drawTable();
}

// -- start ------------------------------------------------------------------------------------

async function start() {
  words.start();
  $("sign-out").addEventListener("click", signOut);
  $("message-close").addEventListener("click", () => {
    $("message").hidden = true;
  });
  wireEditor();
  words.onChange(() => {
    drawTable();
    if ($("editor").open) {
      renumber();
      $("editor-title").textContent = words.t("tt_admin_edit", { name: typeName(state.editing.type) });
    }
  });
  try {
    await loadTypes();
    main.dataset.loaded = "true";
  } catch (error) {
    alarm(error instanceof Refusal ? error.message : words.t("unreachable"));
  }
}

start();
