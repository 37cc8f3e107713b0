// Chinese and English words for a page: the page's own dictionary over the common one.
// Elements carry data-i18n (text), data-i18n-title, data-i18n-placeholder or
// data-i18n-label (aria-label) naming a key; the choice is remembered in localStorage.

const STORAGE_KEY = "hotline.lang";
const LANGUAGES = ["en", "zh"];

const COMMON = {
  en: {
    switch_language: "Switch language (中文)",
    other_language: "中文",
    logout: "Sign out",
    connected: "Live",
    connecting: "Connecting…",
    disconnected: "Reconnecting…",
    not_connected: "not connected to the server: reconnecting, try again in a moment",
    no_reply: "the server did not answer in time",
    state_logged_out: "Logged out",
    state_ready: "Ready",
    state_reserved: "Ringing",
    state_busy: "On a call",
    state_wrap_up: "After-call work",
    state_not_ready: "Not ready",
    none: "—",
  },
  zh: {
    switch_language: "切换语言 (English)",
    other_language: "English",
    logout: "退出",
    connected: "在线",
    connecting: "正在连接…",
    disconnected: "正在重连…",
    not_connected: "未连接到服务器：正在重连，请稍后再试",
    no_reply: "服务器没有及时应答",
    state_logged_out: "未签入",
    state_ready: "就绪",
    state_reserved: "振铃",
    state_busy: "通话中",
    state_wrap_up: "话后处理",
    state_not_ready: "未就绪",
    none: "—",
  },
};

function chosenLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(stored)) return stored;
  const user = document.body.dataset.lang;
  if (LANGUAGES.includes(user)) return user;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export class Words {
  constructor(dictionary) {
    this.dictionary = {};
    for (const lang of LANGUAGES) {
      this.dictionary[lang] = { ...COMMON[lang], ...(dictionary[lang] || {}) };
    }
    this.lang = chosenLanguage();
    this.listeners = [];
  }

  // The text for `key`, with {name} replaced from `values`.
  t(key, values = {}) {
    const text = this.dictionary[this.lang][key] ?? this.dictionary.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
  }

  apply(root = document) {
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    for (const element of root.querySelectorAll("[data-i18n]")) {
      element.textContent = this.t(element.dataset.i18n);
    }
    for (const [attribute, property] of [["i18nTitle", "title"],
      ["i18nPlaceholder", "placeholder"], ["i18nLabel", "ariaLabel"]]) {
      const selector = `[data-${attribute.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}]`;
      for (const element of root.querySelectorAll(selector)) {
        element[property] = this.t(element.dataset[attribute]);
      }
    }
    const toggle = document.getElementById("lang");
    if (toggle) toggle.textContent = this.t("other_language");
  }

  // Wire the #lang button and translate the page now.
  start() {
    const toggle = document.getElementById("lang");
    if (toggle) toggle.addEventListener("click", () => this.switch());
    this.apply();
  }

  switch() {
    this.lang = LANGUAGES[(LANGUAGES.indexOf(this.lang) + 1) % LANGUAGES.length];
    localStorage.setItem(STORAGE_KEY, this.lang);
    // Signed in: remembered with the account too, for the user's other browsers.
    if (document.body.dataset.lang) {
      fetch("/api/auth/me", { method: "PATCH", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ language: this.lang }) }).catch(() => {});
    }
    this.apply();
    for (const listener of this.listeners) listener(this.lang);
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  state(state) {
    return state ? this.t(`state_${state}`) : this.t("none");
  }
}

// One dictionary from several ({en: {...}, zh: {...}} each): a page's and its panels'.
export function combine(...dictionaries) {
  const combined = {};
  for (const lang of LANGUAGES) {
    combined[lang] = Object.assign({}, ...dictionaries.map((dictionary) => dictionary[lang] || {}));
  }
  return combined;
}

// "1:05", "12:03:09": a duration in seconds as a clock.
export function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// Build an element: el("td", {className: "n"}, "text", child...).
export function el(tag, properties = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (key === "dataset") Object.assign(element.dataset, value);
    else element[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
  return element;
}

// The message of a failed API call: its `detail` (a string, or FastAPI's list of field
// errors).
export async function apiError(response) {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (typeof body.detail === "string") detail = body.detail;
    else if (Array.isArray(body.detail)) {
      detail = body.detail
        .map((item) => `${(item.loc || []).filter((p) => p !== "body").join(".")}: ${item.msg}`)
        .join("; ");
    }
  } catch {
    // not JSON: keep the status line
  }
  return detail;
}

// Sign out: end the session on the server and go to the login page.
export async function signOut() {
  try {
    await fetch("/api/auth/logout", { method: "POST" });
  } finally {
    location.assign("/login");
  }
}
