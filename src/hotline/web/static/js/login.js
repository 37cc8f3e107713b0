// The login page: company, account and password to POST /api/auth/login; the API's own
// message on failure; on success the page for the user's role (or where they were going).

import { Words, apiError } from "./i18n.js";

const words = new Words({
  en: {
    title: "Sign in",
    tenant: "Company",
    username: "Account",
    password: "Password",
    submit: "Sign in",
    signing_in: "Signing in…",
    hint: "Agents go to the desktop, supervisors to the wall board.",
    missing: "Fill in the company, the account and the password.",
    unreachable: "The server cannot be reached: check the network and try again.",
  },
  zh: {
    title: "登录",
    tenant: "企业",
    username: "账号",
    password: "密码",
    submit: "登录",
    signing_in: "正在登录…",
    hint: "座席进入座席工作台，班长进入监控大屏。",
    missing: "请填写企业、账号和密码。",
    unreachable: "无法连接服务器：请检查网络后重试。",
  },
});

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = document.getElementById("login-submit");
const TENANT_KEY = "hotline.tenant";

function show(message) {
  error.textContent = message;
  error.hidden = false;
}

// Only a path on this site, never another origin ("//evil.example").
function destination(user) {
  const next = new URLSearchParams(location.search).get("next");
  if (next && next.startsWith("/") && !next.startsWith("//") && next !== "/login") return next;
  return user.agent_id ? "/agent" : "/board";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    tenant: form.tenant.value.trim(),
    username: form.username.value.trim(),
    password: form.password.value,
  };
  if (!body.tenant || !body.username || !body.password) {
    show(words.t("missing"));
    return;
  }
  error.hidden = true;
  submit.disabled = true;
  submit.textContent = words.t("signing_in");
  try {
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      show(await apiError(response));
      form.password.select();
      return;
    }
    const { user } = await response.json();
    localStorage.setItem(TENANT_KEY, body.tenant);
    if (!localStorage.getItem("hotline.lang") && user.language) {
      localStorage.setItem("hotline.lang", user.language);
    }
    location.assign(destination(user));
  } catch {
    show(words.t("unreachable"));
  } finally {
    submit.disabled = false;
    submit.textContent = words.t("submit");
  }
});

words.start();
const remembered = localStorage.getItem(TENANT_KEY);
if (remembered) {
  form.tenant.value = remembered;
  form.username.focus();
}
