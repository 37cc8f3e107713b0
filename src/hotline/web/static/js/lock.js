// The screen lock (D2): while not ready an agent may lock the desktop; only their password
// opens it again, checked by the server as a fresh login (which counts against the login
// throttle like any other). The lock survives a reload: it is remembered in localStorage.

import { apiError } from "./i18n.js";

export class ScreenLock {
  // canLock() says whether the agent may lock now; refused() is called when they may not;
  // describe() is the state shown on the lock.
  constructor({ words, tenant, username, canLock, refused, describe }) {
    Object.assign(this, { words, tenant, username, canLock, refused, describe });
    this.key = `hotline.lock.${tenant}.${username}`;
    this.overlay = document.getElementById("lock");
    this.password = document.getElementById("lock-password");
    this.error = document.getElementById("lock-error");
    this.button = document.getElementById("btn-unlock");
    document.getElementById("lock-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.unlock();
    });
    if (localStorage.getItem(this.key)) this.lock();
  }

  get locked() {
    return !this.overlay.hidden;
  }

  lock() {
    if (!this.locked && !localStorage.getItem(this.key) && !this.canLock()) {
      this.refused();
      return;
    }
    localStorage.setItem(this.key, "1");
    document.getElementById("lock-state").textContent = this.describe();
    this.overlay.hidden = false;
    for (const child of document.body.children) {
      if (child !== this.overlay) child.inert = true;
    }
    this.error.hidden = true;
    this.password.value = "";
    this.password.focus();
  }

  // Forget the lock (signing out).
  forget() {
    localStorage.removeItem(this.key);
  }

  opened() {
    this.forget();
    this.overlay.hidden = true;
    for (const child of document.body.children) child.inert = false;
  }

  async unlock() {
    const password = this.password.value;
    if (!password) return;
    this.button.disabled = true;
    this.button.textContent = this.words.t("unlocking");
    try {
      const response = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ tenant: this.tenant, username: this.username, password }),
      });
      if (response.ok) {
        this.opened();
        return;
      }
      this.error.textContent = await apiError(response);
    } catch {
      this.error.textContent = this.words.t("not_connected");
    } finally {
      this.button.disabled = false;
      this.button.textContent = this.words.t("unlock");
    }
    this.error.hidden = false;
    this.password.select();
  }
}
