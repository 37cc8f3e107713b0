// Interaction records (GET /api/interactions) on the agent desktop: the agent's own call
// records with filters and pages, their missed calls (GET /api/missed_calls: offers that rang
// out or were declined), and the screen pop's last interactions with a caller.

import { apiError, clock, el } from "./i18n.js";

const PAGE = 10;

export class Records {
  // words: the page's Words; onError(text) shows a failed request's message.
  constructor(words, onError) {
    this.words = words;
    this.onError = onError;
    this.offset = 0;
    this.form = document.getElementById("records-filter");
    this.table = document.getElementById("records");
    this.missed = document.getElementById("missed");
    this.count = document.getElementById("records-count");
    this.previous = document.getElementById("records-prev");
    this.next = document.getElementById("records-next");
    this.form.show.addEventListener("change", () => {
      this.offset = 0;
      this.load();
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.offset = 0;
      this.load();
    });
    this.previous.addEventListener("click", () => {
      this.offset = Math.max(0, this.offset - PAGE);
      this.load();
    });
    this.next.addEventListener("click", () => {
      this.offset += PAGE;
      this.load();
    });
  }

  when(iso) {
    const locale = this.words.lang === "zh" ? "zh-CN" : "en-GB";
    return new Date(iso).toLocaleString(locale, { month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  seconds(value) {
    return value === null || value === undefined ? this.words.t("none") : clock(value);
  }

  result(result) {
    if (!result) return this.words.t("result_in_progress");
    const word = this.words.t(`result_${result}`);
    return word === `result_${result}` ? result : word;
  }

  query() {
    const form = this.form;
    const query = new URLSearchParams({ limit: PAGE, offset: this.offset });
    // Dates are the agent's local days.
    if (form.from.value) query.set("from", new Date(`${form.from.value}T00:00`).toISOString());
    if (form.to.value) {
      const end = new Date(`${form.to.value}T00:00`);
      end.setDate(end.getDate() + 1);
      query.set("to", end.toISOString());
    }
    if (form.show.value === "missed") return query;
    for (const name of ["direction", "result", "number"]) {
      const value = form[name].value.trim();
      if (value) query.set(name, value);
    }
    return query;
  }

  async load() {
    const missed = this.form.show.value === "missed";
    this.table.hidden = missed;
    this.missed.hidden = !missed;
    for (const name of ["direction", "result", "number"]) this.form[name].disabled = missed;
    if (missed) {
      await this.loadMissed();
      return;
    }
    const response = await fetch(`/api/interactions?${this.query()}`);
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    const { items, total, offset } = await response.json();
    const { words } = this;
    const body = this.table.tBodies[0];
    body.replaceChildren();
    if (items.length === 0) {
      body.append(el("tr", {}, el("td", { colSpan: 9, className: "muted" },
        words.t("records_none"))));
    }
    for (const item of items) {
      const number = item.direction === "outbound" ? item.dnis : item.ani;
      body.append(el("tr", { dataset: { interaction: item.interaction_id } },
        el("td", {}, this.when(item.arrived_at)), el("td", {}, words.t(item.direction)),
        el("td", {}, number), el("td", {}, item.queue || words.t("none")),
        el("td", {}, this.result(item.result)),
        el("td", { className: "n" }, this.seconds(item.wait_seconds)),
        el("td", { className: "n" }, this.seconds(item.talk_seconds)),
        el("td", { className: "n" }, this.seconds(item.hold_seconds)),
        el("td", { className: "n" }, this.seconds(item.wrap_up_seconds))));
    }
    this.showPage(items.length, total, offset);
  }

  async loadMissed() {
    const response = await fetch(`/api/missed_calls?${this.query()}`);
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    const { items, total, offset } = await response.json();
    const { words } = this;
    const body = this.missed.tBodies[0];
    body.replaceChildren();
    if (items.length === 0) {
      body.append(el("tr", {}, el("td", { colSpan: 5, className: "muted" },
        words.t("records_none"))));
    }
    for (const item of items) {
      body.append(el("tr", { dataset: { interaction: item.interaction_id || "" } },
        el("td", {}, this.when(item.at)), el("td", {}, words.t(`why_${item.reason}`)),
        el("td", {}, item.ani || words.t("none")), el("td", {}, item.queue || words.t("none")),
        el("td", {}, this.result(item.result))));
    }
    this.showPage(items.length, total, offset);
  }

  showPage(count, total, offset) {
    this.count.textContent = total === 0 ? ""
      : this.words.t("records_count", { first: offset + 1, last: offset + count, total });
    this.previous.disabled = offset === 0;
    this.next.disabled = offset + count >= total;
  }

  // The caller's last interactions (those the agent may see) into `table`, but `current`.
  async history(table, number, current) {
    const body = table.tBodies[0];
    body.replaceChildren();
    if (!number) return;
    const response = await fetch(`/api/interactions?number=${encodeURIComponent(number)}&limit=6`);
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    const { words } = this;
    const items = (await response.json()).items.filter((item) => item.interaction_id !== current);
    if (items.length === 0) {
      body.append(el("tr", {}, el("td", { colSpan: 6, className: "muted" },
        words.t("history_none"))));
    }
    for (const item of items.slice(0, 5)) {
      body.append(el("tr", {},
        el("td", {}, this.when(item.arrived_at)), el("td", {}, words.t(item.direction)),
        el("td", {}, item.queue || words.t("none")), el("td", {}, item.agent || words.t("none")),
        el("td", {}, this.result(item.result)),
        el("td", { className: "n" }, this.seconds(item.talk_seconds))));
    }
  }
}
