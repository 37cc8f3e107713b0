// The wall board's overdue tickets per team (C2): `GET /api/tickets/overdue_by_team`, every
// 30 seconds, so that a supervisor sees where work is piling up past its SLA.

import { apiError, el } from "./i18n.js";

export const TEAM_TICKET_WORDS = {
  en: {
    overdue_heading: "Overdue tickets per team", overdue_col: "Overdue",
    due_soon_col: "Due within the hour", oldest_due_col: "Oldest due",
    no_team: "No team", overdue_none: "No unfinished tickets are overdue or due soon.",
    overdue_updated: "as of {time}",
  },
  zh: {
    overdue_heading: "各班组超时工单", overdue_col: "已超时",
    due_soon_col: "一小时内到期", oldest_due_col: "最早时限",
    no_team: "未分派班组", overdue_none: "没有超时或即将到期的未完结工单。",
    overdue_updated: "截至 {time}",
  },
};

const EVERY_MS = 30000;
const WITHIN_MINUTES = 60;

export class TeamTickets {
  constructor({ words, onError }) {
    this.words = words;
    this.onError = onError;
    this.rows = null;
    this.at = null;
    this.table = document.getElementById("team-tickets");
    words.onChange(() => this.draw());
  }

  start() {
    this.load();
    setInterval(() => this.load(), EVERY_MS);
  }

  async load() {
    const response = await fetch(`/api/tickets/overdue_by_team?within_minutes=${WITHIN_MINUTES}`);
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    this.rows = await response.json();
    this.at = new Date();
    this.draw();
  }

  locale() {
    return this.words.lang === "zh" ? "zh-CN" : "en-GB";
  }

  draw() {
    if (this.rows === null) return;
    const { words } = this;
    const body = this.table.tBodies[0];
    body.replaceChildren(...this.rows.map((row) => el("tr", { dataset: { team: row.team ?? "" } },
      el("td", {}, row.team ?? words.t("no_team")),
      el("td", { className: row.overdue ? "n overdue-count" : "n overdue-count zero" }, row.overdue),
      el("td", { className: "n" }, row.due_soon),
      el("td", {}, row.oldest_due_at ? new Date(row.oldest_due_at).toLocaleString(this.locale(),
        { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
        : words.t("none")))));
    if (this.rows.length === 0) {
      body.append(el("tr", {}, el("td", { colSpan: 4, className: "muted" }, words.t("overdue_none"))));
    }
    document.getElementById("overdue-updated").textContent = words.t("overdue_updated",
      { time: this.at.toLocaleTimeString(this.locale()) });
  }
}
