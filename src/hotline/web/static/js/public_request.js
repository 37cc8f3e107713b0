// The public request form: the chosen type's custom fields (GET
// /api/public/{tenant}/ticket_types), the server's checks made before sending, the server's
// errors shown beside their fields, and the reference and due time once the request is filed
// (POST /api/public/{tenant}/tickets). The page is in the language the server chose.

import { el } from "./i18n.js";

const WORDS = {
  zh: {
    choose_type: "请选择类别。",
    title_rule: "请填写标题（不超过 200 字）。",
    description_rule: "详细描述不能超过 4000 字。",
    contact_needed: "请填写联系电话或电子邮箱，以便我们答复您。",
    phone_rule: "电话号码为 3 到 20 位数字，可含空格、短横线和开头的 +。",
    email_rule: "请填写有效的电子邮箱，例如 name@example.com。",
    required: "「{label}」为必填项。",
    too_long: "「{label}」不能超过 {max} 字。",
    number: "「{label}」须为数字。",
    choice: "请从列表中选择「{label}」。",
    date: "「{label}」须为日期，例如 2024-05-31。",
    invalid: "「{label}」填写有误：{detail}",
    pick: "请选择",
    yes: "是",
    sending: "正在提交…",
    fix: "请更正标出的内容后再提交。",
    too_many: "提交过于频繁，请 {seconds} 秒后再试。",
    rejected: "提交未被受理。",
    no_service: "没有找到这个服务，请检查网址。",
    unreachable: "无法连接服务器：请检查网络后重试。",
    failed: "提交失败：{detail}",
  },
  en: {
    choose_type: "Choose the kind of request.",
    title_rule: "Give a subject (at most 200 characters).",
    description_rule: "The details may have at most 4000 characters.",
    contact_needed: "Give a phone number or an e-mail address so that we can answer you.",
    phone_rule: "A phone number has 3 to 20 digits, with spaces, dashes and a leading + "
      + "allowed.",
    email_rule: "Give an e-mail address like name@example.com.",
    required: "{label} is required.",
    too_long: "{label} may have at most {max} characters.",
    number: "{label} must be a number.",
    choice: "Choose {label} from the list.",
    date: "{label} must be a date like 2024-05-31.",
    invalid: "{label}: {detail}",
    pick: "Choose",
    yes: "Yes",
    sending: "Sending…",
    fix: "Correct what is marked, then send again.",
    too_many: "Too many requests: try again in {seconds} s.",
    rejected: "The request was not accepted.",
    no_service: "There is no such service here: check the address.",
    unreachable: "The server cannot be reached: check the network and try again.",
    failed: "The request failed: {detail}",
  },
};

// The server's rules (hotline.api.public_tickets, hotline.crm.ticket_fields).
const PHONE_CHARACTERS = /^[0-9+\- ]{3,32}$/;
const PHONE_DIGITS = /^\+?[0-9]{3,20}$/;
const EMAIL = /^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$/;
const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TITLE = 200;
const DESCRIPTION = 4000;

const body = document.body;
const lang = body.dataset.lang === "en" ? "en" : "zh";
const tenant = body.dataset.tenant;
const base = `/api/public/${encodeURIComponent(tenant)}`;
const form = document.getElementById("request-form");
const inputs = Object.fromEntries(["type", "name", "phone", "email", "title", "description",
  "website"].map((id) => [id, document.getElementById(id)]));
const customBox = document.getElementById("custom-fields");
const customList = document.getElementById("custom-list");
const formError = document.getElementById("form-error");
const submit = document.getElementById("submit");
const receipt = document.getElementById("receipt");
let fieldsByType = {};

function t(key, values = {}) {
  const text = WORDS[lang][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

function currentFields() {
  return fieldsByType[inputs.type.value] || [];
}

// One custom field: its label, its input (by kind) and the place for its error.
function customField(field) {
  const id = `field-${field.name}`;
  let input;
  if (field.kind === "choice") {
    input = el("select", { id, name: field.name },
      el("option", { value: "" }, `${t("pick")}…`),
      ...field.choices.map((choice) => el("option", { value: choice }, choice)));
  } else if (field.kind === "boolean") {
    input = el("input", { id, name: field.name, type: "checkbox" });
  } else {
    input = el("input", { id, name: field.name,
      type: { number: "number", date: "date" }[field.kind] || "text" });
    if (field.kind === "number") input.step = "any";
    if (field.kind === "text" && field.max_length) input.maxLength = field.max_length;
  }
  input.dataset.custom = field.name;
  const label = el("label", { htmlFor: id }, field.label);
  if (field.required) label.append(" ", el("span", { className: "mark" }, "*"));
  const error = el("p", { className: "field-error", id: `error-fields-${field.name}`,
    role: "alert", hidden: true });
  const wrapper = el("div", { className: field.kind === "boolean" ? "field check" : "field" });
  if (field.kind === "boolean") wrapper.append(input, label, error);
  else wrapper.append(label, input, error);
  return wrapper;
}

function showCustomFields() {
  const fields = currentFields();
  customList.replaceChildren(...fields.map(customField));
  customBox.hidden = fields.length === 0;
}

function clearErrors() {
  formError.hidden = true;
  for (const error of form.querySelectorAll(".field-error")) {
    error.hidden = true;
    error.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

// Show `message` beside the field `key` ("phone", "fields-meter"...), or above the button.
function showError(key, message) {
  const error = document.getElementById(`error-${key}`);
  if (!error) {
    formError.textContent = formError.hidden ? message : `${formError.textContent} ${message}`;
    formError.hidden = false;
    return;
  }
  error.textContent = error.hidden ? message : `${error.textContent} ${message}`;
  error.hidden = false;
  const input = key.startsWith("fields-")
    ? document.getElementById(`field-${key.slice("fields-".length)}`)
    : document.getElementById(key);
  if (input) input.setAttribute("aria-invalid", "true");
}

// The custom fields' values as the server takes them, and what is wrong with them.
function customValues(problems) {
  const values = {};
  for (const field of currentFields()) {
    const input = document.getElementById(`field-${field.name}`);
    const label = field.label;
    const key = `fields-${field.name}`;
    if (field.kind === "boolean") {
      values[field.name] = input.checked;
      continue;
    }
    if (field.kind === "number" && input.validity.badInput) {
      problems.push([key, t("number", { label })]);
      continue;
    }
    const raw = field.kind === "text" ? input.value : input.value.trim();
    if (!raw.trim()) {
      if (field.required) problems.push([key, t("required", { label })]);
      continue;
    }
    if (field.kind === "number") {
      const number = Number(raw);
      if (!Number.isFinite(number)) problems.push([key, t("number", { label })]);
      else values[field.name] = number;
    } else if (field.kind === "date") {
      if (!ISO_DATE.test(raw)) problems.push([key, t("date", { label })]);
      else values[field.name] = raw;
    } else if (field.kind === "choice") {
      if (!field.choices.includes(raw)) problems.push([key, t("choice", { label })]);
      else values[field.name] = raw;
    } else {
      const max = field.max_length || 1000;
      if (raw.length > max) problems.push([key, t("too_long", { label, max })]);
      else values[field.name] = raw;
    }
  }
  return values;
}

function collect() {
  const problems = [];
  const request = {
    type: inputs.type.value,
    name: inputs.name.value.trim(),
    phone: inputs.phone.value.trim(),
    email: inputs.email.value.trim(),
    title: inputs.title.value.trim(),
    description: inputs.description.value,
    fields: {},
    website: inputs.website.value,
  };
  if (!request.type) problems.push(["type", t("choose_type")]);
  if (!request.title || request.title.length > TITLE) problems.push(["title", t("title_rule")]);
  if (request.description.length > DESCRIPTION) {
    problems.push(["description", t("description_rule")]);
  }
  if (request.phone && !(PHONE_CHARACTERS.test(request.phone)
    && PHONE_DIGITS.test(request.phone.replace(/[\s-]/g, "")))) {
    problems.push(["phone", t("phone_rule")]);
  }
  if (request.email && !(request.email.length <= 254 && EMAIL.test(request.email))) {
    problems.push(["email", t("email_rule")]);
  }
  if (!request.phone && !request.email) problems.push(["phone", t("contact_needed")]);
  request.fields = customValues(problems);
  return { request, problems };
}

// A server error's place on the page: ["body", "fields", "meter"] is "fields-meter".
function keyOf(loc) {
  const path = (loc || []).filter((part) => part !== "body");
  if (path[0] === "fields" && path.length > 1) return `fields-${path[1]}`;
  return String(path[0] ?? "form");
}

function serverMessage(key, message) {
  if (key === "phone" && /or an e-mail address/.test(message)) return t("contact_needed");
  const own = { phone: "phone_rule", email: "email_rule", title: "title_rule",
    description: "description_rule", type: "choose_type" }[key];
  if (own) return t(own);
  if (key.startsWith("fields-")) {
    const name = key.slice("fields-".length);
    const field = currentFields().find((item) => item.name === name);
    if (field) return t("invalid", { label: field.label, detail: message });
  }
  return message;
}

async function showRefusal(response) {
  if (response.status === 429) {
    showError("form", t("too_many", { seconds: response.headers.get("Retry-After") || "60" }));
    return;
  }
  if (response.status === 404) {
    showError("form", t("no_service"));
    return;
  }
  let detail = `${response.status} ${response.statusText}`;
  try {
    detail = (await response.json()).detail;
  } catch {
    // not JSON: keep the status line
  }
  if (Array.isArray(detail)) {
    for (const item of detail) {
      const key = keyOf(item.loc);
      showError(key, serverMessage(key, item.msg));
    }
    showError("form", t("fix"));
  } else if (detail === "rejected") {
    showError("form", t("rejected"));
  } else {
    showError("form", t("failed", { detail }));
  }
}

function showReceipt(filed) {
  document.getElementById("reference").textContent = String(filed.reference);
  document.getElementById("due").textContent = new Date(filed.due_at).toLocaleString(
    lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
  form.hidden = true;
  receipt.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const { request, problems } = collect();
  if (problems.length) {
    for (const [key, message] of problems) showError(key, message);
    return;
  }
  submit.disabled = true;
  const label = submit.textContent;
  submit.textContent = t("sending");
  try {
    const response = await fetch(`${base}/tickets`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    if (response.status === 201) showReceipt(await response.json());
    else await showRefusal(response);
  } catch {
    showError("form", t("unreachable"));
  } finally {
    submit.disabled = false;
    submit.textContent = label;
  }
});

inputs.type.addEventListener("change", () => {
  clearErrors();
  showCustomFields();
});

document.getElementById("another").addEventListener("click", () => {
  form.reset();
  clearErrors();
  showCustomFields();
  receipt.hidden = true;
  form.hidden = false;
  inputs.title.focus();
});

async function loadTypes() {
  try {
    const response = await fetch(`${base}/ticket_types`);
    if (!response.ok) {
      showError("form", response.status === 404 ? t("no_service") : t("unreachable"));
      return;
    }
    fieldsByType = Object.fromEntries((await response.json()).map((item) => [item.type,
      item.fields]));
    showCustomFields();
  } catch {
    showError("form", t("unreachable"));
  }
}

const wanted = new URLSearchParams(location.search).get("type");
if (wanted && inputs.type.querySelector(`option[value="${CSS.escape(wanted)}"]`)) {
  inputs.type.value = wanted;
}
loadTypes();
