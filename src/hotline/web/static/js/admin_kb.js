// The knowledge base's administration page (/admin/kb): supervisors and admins search the
// articles, write new ones, change and remove them through /api/kb (src/hotline/api/kb.py).
// The list is the API's own search (the words typed, a category, a page at a time), so what
// is found here is what agents find. An article is written in the page's dialog; every save
// is one request, and the server's refusals (422 `loc` paths) appear beside their field.
// Articles are shown as text, never as HTML.

import { Words, combine, el, signOut } from "./i18n.js";
import { ADMIN_WORDS } from "./admin_words.js";
import { Refusal, caller } from "./admin_api.js";

const KB_ADMIN_WORDS = {
  en: {
    kb_admin_search: "Search articles", kb_admin_search_placeholder: "Words in the title or text",
    kb_admin_category: "Category", kb_admin_all_categories: "All categories",
    kb_admin_category_count: "{name} ({count})", kb_admin_go: "Search",
    kb_admin_pages: "Pages of results", kb_admin_previous: "Previous", kb_admin_next: "Next",
    kb_admin_range: "{first}–{last} of {total}",
    kb_admin_count: "{total} articles", kb_admin_count_one: "1 article",
    kb_admin_none: "No articles match.", kb_admin_searching: "Searching…",
    kb_admin_title: "Title", kb_admin_body: "Text", kb_admin_tags: "Tags",
    kb_admin_language: "Language", kb_admin_visible_to: "Who may read it",
    kb_admin_updated: "Updated", kb_admin_new: "New article", kb_admin_edit: "Edit: {name}",
    kb_admin_h_category: "An existing category, or a new one.",
    kb_admin_h_tags: "Separated by commas, at most 20.",
    kb_admin_h_visible_to: "At least one role; the others do not see the article at all.",
    kb_admin_confirm_text: "This cannot be undone: agents no longer find the article.",
  },
  zh: {
    kb_admin_search: "搜索文章", kb_admin_search_placeholder: "标题或正文中的词语",
    kb_admin_category: "分类", kb_admin_all_categories: "全部分类",
    kb_admin_category_count: "{name}（{count}）", kb_admin_go: "搜索",
    kb_admin_pages: "结果分页", kb_admin_previous: "上一页", kb_admin_next: "下一页",
    kb_admin_range: "第 {first}–{last} 篇，共 {total} 篇",
    kb_admin_count: "共 {total} 篇", kb_admin_count_one: "共 1 篇",
    kb_admin_none: "没有匹配的文章。", kb_admin_searching: "正在搜索…",
    kb_admin_title: "标题", kb_admin_body: "正文", kb_admin_tags: "标签",
    kb_admin_language: "语言", kb_admin_visible_to: "可阅读的角色",
    kb_admin_updated: "更新时间", kb_admin_new: "新文章", kb_admin_edit: "编辑：{name}",
    kb_admin_h_category: "已有分类，或新分类。",
    kb_admin_h_tags: "用逗号分隔，最多 20 个。",
    kb_admin_h_visible_to: "至少一个角色；其他角色完全看不到这篇文章。",
    kb_admin_confirm_text: "删除后无法恢复：座席将再也找不到这篇文章。",
  },
};

const API = "/api/kb";
const PAGE = 20;
const PAUSE_MS = 300;
const ROLES = ["agent", "supervisor", "admin"];

const words = new Words(combine(ADMIN_WORDS, KB_ADMIN_WORDS));
const $ = (id) => document.getElementById(id);
const main = $("admin");

const state = {
  query: "", category: "", offset: 0, page: null, serial: 0, timer: null,
  categories: [], editing: null, opener: null, fields: [],
};

// -- talking to the API -----------------------------------------------------------------------

const call = caller(() => words.t("signed_out"));

// The refusal as problems, each with the name of the field it is about (or null).
function problems(refusal) {
  if (Array.isArray(refusal.detail)) {
    return refusal.detail.map((item) => {
      const path = (item.loc || []).filter((step) => step !== "body");
      return { field: path.length ? String(path[0]) : null, path, message: String(item.msg || "") };
    });
  }
  return [{ field: null, path: [], message: refusal.message }];
}

function problemText(list) {
  return list.map((item) => (item.path.length ? `${item.path.join(".")}: ${item.message}` : item.message))
    .join("; ");
}

// -- the fields of the dialog -----------------------------------------------------------------

function label(key) {
  return el("span", { dataset: { i18n: key } }, words.t(key));
}

// A labelled field: its control(s), a hint, a slot for its error.
function field(name, key, control, { required = false, hint = null, wide = false, group = false } = {}) {
  const id = `kb-admin-field-${name}`;
  const error = el("p", { className: "field-error", id: `${id}-error` });
  error.hidden = true;
  const hintElement = hint ? el("p", { className: "hint", id: `${id}-hint`, dataset: { i18n: hint } }, words.t(hint)) : null;
  const heading = group
    ? el("span", { className: "field-label", id: `${id}-label` }, label(key))
    : el("label", { className: "field-label", htmlFor: id }, label(key),
      required ? el("span", { className: "required", ariaHidden: "true" }, " *") : null);
  if (group) control.setAttribute("aria-labelledby", `${id}-label`);
  else control.id = id;
  const root = el("div", { className: `field${wide ? " field-wide" : ""}`, dataset: { field: name } },
    heading, control, hintElement, error);
  const controls = () => [...root.querySelectorAll("input, select, textarea")];
  for (const each of controls()) {
    each.setAttribute("aria-describedby", [hintElement ? hintElement.id : "", error.id].filter(Boolean).join(" "));
  }
  return {
    name, root, controls,
    showError(message) {
      error.textContent = error.hidden ? message : `${error.textContent}; ${message}`;
      error.hidden = false;
      for (const each of controls()) each.setAttribute("aria-invalid", "true");
    },
    clearError() {
      error.textContent = "";
      error.hidden = true;
      for (const each of controls()) each.removeAttribute("aria-invalid");
    },
  };
}

function textInput(name, maxLength, required) {
  return el("input", { type: "text", name, maxLength, required, autocomplete: "off" });
}

// "燃气, 泄漏，应急、抢修" as ["燃气", "泄漏", "应急", "抢修"].
function tagList(text) {
  return text.split(/[,，、;；]/).map((tag) => tag.trim()).filter(Boolean);
}

function buildFields() {
  const title = textInput("title", 200, true);
  const body = el("textarea", { name: "body", rows: 9, maxLength: 20000, required: true });
  const category = textInput("category", 64, true);
  category.setAttribute("list", "kb-admin-categories");
  const tags = textInput("tags", 1400, false);
  const language = el("select", { name: "language" },
    ...["zh", "en"].map((lang) => el("option", { value: lang, dataset: { i18n: `lang_${lang}` } }, words.t(`lang_${lang}`))));
  const roles = el("div", { className: "kb-admin-roles", role: "group" },
    ...ROLES.map((role) => el("label", { className: "check" },
      el("input", { type: "checkbox", name: "visible_to", value: role }), " ", label(`role_${role}`))));
  const boxes = [...roles.querySelectorAll("input")];
  const fields = {
    title: { ...field("title", "kb_admin_title", title, { required: true, wide: true }),
      get: () => title.value, set: (value) => { title.value = value ?? ""; } },
    body: { ...field("body", "kb_admin_body", body, { required: true, wide: true }),
      get: () => body.value, set: (value) => { body.value = value ?? ""; } },
    category: { ...field("category", "kb_admin_category", category, { required: true, hint: "kb_admin_h_category" }),
      get: () => category.value, set: (value) => { category.value = value ?? ""; } },
    tags: { ...field("tags", "kb_admin_tags", tags, { hint: "kb_admin_h_tags" }),
      get: () => tagList(tags.value), set: (value) => { tags.value = (value || []).join(", "); } },
    language: { ...field("language", "kb_admin_language", language),
      get: () => language.value, set: (value) => { language.value = value || words.lang; } },
    visible_to: { ...field("visible_to", "kb_admin_visible_to", roles, { group: true, hint: "kb_admin_h_visible_to" }),
      get: () => boxes.filter((box) => box.checked).map((box) => box.value),
      set: (value) => { for (const box of boxes) box.checked = (value || ROLES).includes(box.value); } },
  };
  return Object.values(fields);
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

// -- the list ---------------------------------------------------------------------------------

function when(value) {
  return new Date(value).toLocaleString(words.lang === "zh" ? "zh-CN" : "en-GB",
    { dateStyle: "short", timeStyle: "short" });
}

function rowButton(key, className, name, onClick) {
  const button = el("button", { type: "button", className, dataset: { i18n: key } }, words.t(key));
  button.setAttribute("aria-label", `${words.t(key)} ${name}`);
  button.addEventListener("click", onClick);
  return button;
}

function drawCategories() {
  const select = $("kb-admin-category");
  const names = state.categories.map((category) => category.name);
  if (state.category && !names.includes(state.category)) names.push(state.category);
  select.replaceChildren(el("option", { value: "" }, words.t("kb_admin_all_categories")),
    ...state.categories.map(({ name, count }) => el("option", { value: name },
      words.t("kb_admin_category_count", { name, count }))));
  select.value = state.category;
  const list = $("kb-admin-categories") || document.body.appendChild(el("datalist", { id: "kb-admin-categories" }));
  list.replaceChildren(...names.map((name) => el("option", { value: name })));
}

function drawList() {
  const table = $("records");
  const columns = [["title", "kb_admin_title"], ["category", "kb_admin_category"],
    ["language", "kb_admin_language"], ["tags", "kb_admin_tags"], ["updated_at", "kb_admin_updated"]];
  table.tHead.replaceChildren(el("tr", {},
    ...columns.map(([, key]) => el("th", { scope: "col", dataset: { i18n: key } }, words.t(key))),
    el("th", { scope: "col", className: "actions", dataset: { i18n: "actions" } }, words.t("actions"))));
  const page = state.page || { items: [], total: 0, offset: 0 };
  table.tBodies[0].replaceChildren(...page.items.map((article) => el("tr", { dataset: { key: String(article.id) } },
    el("td", { dataset: { column: "title" } }, el("div", { className: "kb-admin-title" }, article.title),
      el("div", { className: "kb-admin-snippet" }, article.snippet)),
    el("td", { dataset: { column: "category" } }, article.category),
    el("td", { dataset: { column: "language" } }, words.t(`lang_${article.language}`)),
    el("td", { dataset: { column: "tags" } }, article.tags.join(", ")),
    el("td", { dataset: { column: "updated_at" }, className: "kb-admin-when" }, when(article.updated_at)),
    el("td", { className: "actions" },
      rowButton("edit", "", article.title, (event) => openArticle(article.id, event.currentTarget)),
      rowButton("delete", "stop", article.title, (event) => confirmDelete(article, event.currentTarget))))));
  const empty = $("empty");
  empty.dataset.i18n = state.query || state.category ? "kb_admin_none" : "empty";
  empty.textContent = words.t(empty.dataset.i18n);
  empty.hidden = page.items.length > 0;
  $("count").textContent = page.total === 1 ? words.t("kb_admin_count_one")
    : words.t("kb_admin_count", { total: page.total });
  $("kb-admin-range").textContent = page.items.length ? words.t("kb_admin_range", {
    first: page.offset + 1, last: page.offset + page.items.length, total: page.total }) : "";
  $("kb-admin-previous").disabled = page.offset === 0;
  $("kb-admin-next").disabled = page.offset + page.items.length >= page.total;
  $("kb-admin-pager").hidden = page.total <= PAGE;
}

// Ask for the current page; an answer overtaken by a newer question is dropped.
async function search() {
  const serial = ++state.serial;
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(state.offset) });
  if (state.query) params.set("q", state.query);
  if (state.category) params.set("category", state.category);
  main.dataset.searching = "true";
  try {
    const page = await call("GET", `${API}/articles?${params}`);
    if (serial !== state.serial) return;
    state.page = page;
    drawList();
  } finally {
    if (serial === state.serial) delete main.dataset.searching;
  }
}

async function refresh() {
  state.categories = await call("GET", `${API}/categories`);
  drawCategories();
  await search();
}

function searchFor(offset = 0) {
  clearTimeout(state.timer);
  state.query = $("kb-admin-query").value.trim();
  state.category = $("kb-admin-category").value;
  state.offset = offset;
  search().catch(showFailure);
}

function wireSearch() {
  $("kb-admin-search").addEventListener("submit", (event) => {
    event.preventDefault();
    searchFor();
  });
  $("kb-admin-query").addEventListener("input", () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => searchFor(), PAUSE_MS);
  });
  $("kb-admin-category").addEventListener("change", () => searchFor());
  $("kb-admin-previous").addEventListener("click", () => searchFor(Math.max(0, state.offset - PAGE)));
  $("kb-admin-next").addEventListener("click", () => searchFor(state.offset + PAGE));
}

function showFailure(error) {
  alarm(error instanceof Refusal ? error.message : words.t("unreachable"));
}

// -- the editor dialog ------------------------------------------------------------------------

async function openArticle(id, opener) {
  try {
    openEditor(await call("GET", `${API}/articles/${id}`), opener);
  } catch (error) {
    showFailure(error);
  }
}

function openEditor(article, opener) {
  state.editing = article;
  state.opener = opener;
  state.fields = buildFields();
  $("editor-fields").replaceChildren(...state.fields.map((each) => each.root));
  for (const each of state.fields) each.set(article ? article[each.name] : undefined);
  clearProblems();
  $("editor-title").textContent = article ? words.t("kb_admin_edit", { name: article.title })
    : words.t("kb_admin_new");
  $("editor").showModal();
  state.fields[0].controls()[0].focus();
}

function clearProblems() {
  for (const each of state.fields) each.clearError();
  $("editor-error").hidden = true;
  $("editor-error").textContent = "";
}

function showProblems(list) {
  const unplaced = [];
  let first = null;
  for (const problem of list) {
    const found = state.fields.find((each) => each.name === problem.field);
    if (found) {
      found.showError(problem.message);
      first = first || found;
    } else {
      unplaced.push(problem);
    }
  }
  const formError = $("editor-error");
  formError.textContent = unplaced.length
    ? words.t("not_saved", { problem: problemText(unplaced) }) : words.t("check_fields");
  formError.hidden = false;
  if (first) first.controls()[0].focus();
}

function checkInBrowser() {
  const found = [];
  for (const each of state.fields) {
    for (const control of each.controls()) {
      if (!control.checkValidity()) found.push({ field: each.name, path: [each.name], message: control.validationMessage });
    }
  }
  if (found.length) showProblems(found);
  return found.length === 0;
}

async function saveEditor(event) {
  event.preventDefault();
  clearProblems();
  if (!checkInBrowser()) return;
  const article = state.editing;
  const body = {};
  for (const each of state.fields) {
    const value = each.get();
    if (!article || JSON.stringify(value) !== JSON.stringify(article[each.name])) body[each.name] = value;
  }
  const save = $("editor-save");
  save.disabled = true;
  try {
    const saved = article
      ? (Object.keys(body).length ? await call("PATCH", `${API}/articles/${article.id}`, body) : article)
      : await call("POST", `${API}/articles`, body);
    $("editor").close();
    say(words.t("saved", { name: saved.title }));
    await refresh();
    const row = document.querySelector(`#records tr[data-key="${saved.id}"] button`);
    if (row) row.focus();
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

function wireEditor() {
  $("editor").addEventListener("close", () => {
    state.editing = null;
    if (state.opener && state.opener.isConnected) state.opener.focus();
    else $("add").focus();
  });
  $("editor-cancel").addEventListener("click", () => $("editor").close());
  $("editor-form").addEventListener("submit", saveEditor);
  $("add").addEventListener("click", (event) => openEditor(null, event.currentTarget));
}

// -- deleting ---------------------------------------------------------------------------------

function confirmDelete(article, opener) {
  state.editing = article;
  state.opener = opener;
  $("confirm-title").textContent = words.t("confirm_title", { name: article.title });
  $("confirm").showModal();
  $("confirm-cancel").focus();
}

async function deleteConfirmed(event) {
  event.preventDefault();
  const article = state.editing;
  $("confirm").close();
  $("message").hidden = true;
  try {
    await call("DELETE", `${API}/articles/${article.id}`);
    say(words.t("deleted", { name: article.title }));
    await refresh();
  } catch (error) {
    const problem = error instanceof Refusal ? problemText(problems(error)) : words.t("unreachable");
    alarm(words.t("delete_refused", { name: article.title, problem }));
  }
}

function wireConfirm() {
  $("confirm-text").dataset.i18n = "kb_admin_confirm_text";
  $("confirm-cancel").addEventListener("click", () => $("confirm").close());
  $("confirm").addEventListener("close", () => {
    if (state.opener && state.opener.isConnected && $("message").hidden) state.opener.focus();
  });
  $("confirm-form").addEventListener("submit", deleteConfirmed);
}

// -- start ------------------------------------------------------------------------------------

async function start() {
  wireConfirm();
  words.start();
  $("sign-out").addEventListener("click", signOut);
  $("message-close").addEventListener("click", () => {
    $("message").hidden = true;
  });
  wireSearch();
  wireEditor();
  words.onChange(() => {
    drawCategories();
    drawList();
  });
  try {
    await refresh();
    main.dataset.loaded = "true";
  } catch (error) {
    showFailure(error);
  }
}

start();
