// The wall board (/board) and its TV view (/board/tv): the tenant's live figures from the
// CTI `live` events (docs/cti.md), with the thresholds the supervisor sets highlighted.
// Rows are keyed by queue, team and agent and only changed cells are rewritten, so a board
// with many agents redraws cheaply five times a second.

import { Cti } from "./cti.js";
import { Words, apiError, clock, combine, el, signOut } from "./i18n.js";
import { TEAM_TICKET_WORDS, TeamTickets } from "./team_tickets.js";

const BOARD_WORDS = {
  en: {
    page_title: "Wall board", updated: "Updated", tv_view: "TV view", back: "Back",
    admin: "Administration",
    waiting: "Waiting", longest_wait: "Longest wait", service_level: "Service level",
    offered: "Offered", answered: "Answered", abandoned: "Abandoned",
    asa: "Avg. speed of answer", asa_short: "ASA", self_service: "Self-service (IVR)",
    ready_agents: "Ready agents",
    queues_heading: "Queues today", teams_heading: "Teams", agents_heading: "Agents",
    col_queue: "Queue", col_team: "Team", col_agent: "Agent", col_name: "Name",
    col_state: "State", col_reason: "Reason", col_time: "Time in state", col_calls: "Calls",
    thresholds_heading: "Alerts",
    alert_waiting: "Waiting more than", alert_longest: "Longest wait over",
    alert_service: "Service level below", alert_not_ready: "Not ready longer than",
    calls: "calls", seconds: "s", minutes: "min", save: "Save", clear: "Clear",
    saved: "Saved on this computer.", cleared: "Alerts cleared.",
    alerts: "{count} alerts", alert_one: "1 alert",
    over: "over the alert threshold",
    agents_hint: "Click an agent (or press Enter on the row) to act on them.",
    actions_title: "Agent {agent} {name}", call_actions: "The agent's call",
    agent_actions: "The agent", listen: "Listen", whisper: "Whisper", barge: "Barge in",
    stop_monitor: "Stop monitoring", force_release: "Release the call",
    force_not_ready: "Make not ready", force_logout: "Log out", close: "Close",
    call_agent: "Call the agent",
    done: "Done: {agent} is now {state}.", monitoring: "You are now in the call: {mode}.",
  },
  zh: {
    page_title: "监控大屏", updated: "更新于", tv_view: "电视模式", back: "返回",
    admin: "系统管理",
    waiting: "排队", longest_wait: "最长等待", service_level: "服务水平",
    offered: "呼入", answered: "接通", abandoned: "放弃",
    asa: "平均应答速度", asa_short: "平均应答", self_service: "IVR 自助",
    ready_agents: "就绪座席",
    queues_heading: "今日队列", teams_heading: "班组", agents_heading: "座席",
    col_queue: "队列", col_team: "班组", col_agent: "工号", col_name: "姓名",
    col_state: "状态", col_reason: "原因", col_time: "状态时长", col_calls: "通话数",
    thresholds_heading: "告警",
    alert_waiting: "排队超过", alert_longest: "最长等待超过",
    alert_service: "服务水平低于", alert_not_ready: "未就绪超过",
    calls: "个", seconds: "秒", minutes: "分钟", save: "保存", clear: "清除",
    saved: "已保存在本机。", cleared: "告警已清除。",
    alerts: "{count} 条告警", alert_one: "1 条告警",
    over: "超过告警阈值",
    agents_hint: "点击座席（或在该行按回车）进行操作。",
    actions_title: "座席 {agent} {name}", call_actions: "座席的通话",
    agent_actions: "座席", listen: "监听", whisper: "密语", barge: "强插",
    stop_monitor: "停止监听", force_release: "强拆", force_not_ready: "强制未就绪",
    force_logout: "强制签出", close: "关闭", call_agent: "呼叫座席",
    done: "完成：{agent} 现在是{state}。", monitoring: "您已加入通话：{mode}。",
  },
};
const words = new Words(combine(BOARD_WORDS, TEAM_TICKET_WORDS));

const $ = (id) => document.getElementById(id);
const TV = document.body.classList.contains("tv");
const THRESHOLDS_KEY = `hotline.board.thresholds.${document.body.dataset.tenant}`;

const view = {
  board: null,
  receivedAt: 0,   // local seconds when `board` arrived
  thresholds: loadThresholds(),
  reasons: new Map(),  // not-ready reason code -> label
  rows: { queues: new Map(), teams: new Map(), agents: new Map() },
};

// -- thresholds (S3) --------------------------------------------------------------------------

function loadThresholds() {
  try {
    const stored = JSON.parse(localStorage.getItem(THRESHOLDS_KEY) || "{}");
    return stored && typeof stored === "object" ? stored : {};
  } catch {
    return {};
  }
}

function limit(name) {
  const value = view.thresholds[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

const checks = {
  waiting: (value) => limit("waiting") !== null && value > limit("waiting"),
  longest_wait: (value) => limit("longest_wait") !== null && value > limit("longest_wait"),
  service_level: (value) => limit("service_level") !== null && value !== null
    && value * 100 < limit("service_level"),
  not_ready: (agent, seconds) => limit("not_ready") !== null && agent.state === "not_ready"
    && seconds > limit("not_ready") * 60,
};

function flag(element, alarming) {
  if (element.classList.contains("alert") === alarming) return;
  element.classList.toggle("alert", alarming);
  element.title = alarming ? words.t("over") : "";
}

function wireThresholds() {
  const form = $("thresholds");
  if (!form) return;
  for (const input of form.querySelectorAll("input")) {
    const value = view.thresholds[input.name];
    input.value = typeof value === "number" ? String(value) : "";
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = {};
    for (const input of form.querySelectorAll("input")) {
      if (input.value.trim() !== "" && input.checkValidity()) chosen[input.name] = Number(input.value);
    }
    view.thresholds = chosen;
    localStorage.setItem(THRESHOLDS_KEY, JSON.stringify(chosen));
    $("thresholds-saved").textContent = words.t("saved");
    draw();
  });
  $("thresholds-clear").addEventListener("click", () => {
    view.thresholds = {};
    localStorage.removeItem(THRESHOLDS_KEY);
    for (const input of form.querySelectorAll("input")) input.value = "";
    $("thresholds-saved").textContent = words.t("cleared");
    draw();
  });
}

// -- formatting -------------------------------------------------------------------------------

const none = () => words.t("none");
const percent = (value) => (value === null || value === undefined ? none()
  : `${Math.round(value * 100)}%`);
const duration = (value) => (value === null || value === undefined ? none() : clock(value));

function reasonLabel(agent) {
  if (agent.state !== "not_ready" || !agent.reason) return "";
  return view.reasons.get(agent.reason) || agent.reason;
}

// Write `text` into `element` only when it changed.
function put(element, text) {
  const value = String(text);
  if (element.textContent !== value) element.textContent = value;
}

// -- drawing ----------------------------------------------------------------------------------

function elapsed() {
  return Math.max(0, Date.now() / 1000 - view.receivedAt);
}

function draw() {
  const { board } = view;
  if (!board) return;
  const queues = board.queues;
  const longest = Math.max(0, ...queues.map((q) => (q.waiting ? q.longest_wait_seconds : 0)));
  const totals = {
    waiting: board.totals.waiting, longest_wait: longest,
    service_level: board.totals.service_level, offered: board.totals.offered,
    answered: board.totals.answered, abandoned: board.totals.abandoned,
    asa: board.totals.asa_seconds, self_service: board.totals.self_service ?? 0,
  };
  for (const tile of $("totals").querySelectorAll(".tile")) {
    const figure = tile.dataset.figure;
    const value = totals[figure];
    const text = figure === "service_level" ? percent(value)
      : figure === "longest_wait" || figure === "asa" ? duration(value) : value;
    put(tile.querySelector(".value"), text);
    flag(tile, figure in checks && figure !== "not_ready" && checks[figure](value));
  }
  if (TV) {
    drawQueueTiles(queues);
    drawAgentTiles(board.agents);
  } else {
    drawQueueRows(queues);
    drawTeamRows(board.teams);
    drawAgentRows(board.agents);
  }
  countAlerts();
  const at = new Date(board.at * 1000);
  put($("updated"), at.toLocaleTimeString(words.lang === "zh" ? "zh-CN" : "en-GB"));
}

// The keyed row (or tile) of `kind` at `index` in `container`, made by `make(key)` the first
// time; the server's order is kept, moving only what moved.
function keyed(kind, key, container, index, make) {
  let element = view.rows[kind].get(key);
  if (!element) {
    element = make(key);
    view.rows[kind].set(key, element);
  }
  const there = container.children[index] || null;
  if (there !== element) container.insertBefore(element, there);
  return element;
}

function forget(kind, keep) {
  for (const [key, element] of view.rows[kind]) {
    if (!keep.has(key)) {
      element.remove();
      view.rows[kind].delete(key);
    }
  }
}

// A table row keyed by `data-<name>`, its cells made with the given classes.
function tableRow(name, classes) {
  return (key) => el("tr", { dataset: { [name]: key } },
    ...classes.map((className) => el("td", { className })));
}

function drawQueueRows(queues) {
  const body = $("queues").tBodies[0];
  for (const [index, queue] of queues.entries()) {
    const row = keyed("queues", queue.queue, body, index, tableRow("queue", ["", ...Array(8).fill("n")]));
    const [name, waiting, longest, ready, offered, answered, abandoned, level, asa] = row.cells;
    const longestWait = queue.waiting ? queue.longest_wait_seconds : 0;
    put(name, queue.queue);
    put(waiting, queue.waiting);
    put(longest, queue.waiting ? clock(longestWait) : none());
    put(ready, queue.ready_agents);
    put(offered, queue.offered);
    put(answered, queue.answered);
    put(abandoned, queue.abandoned);
    put(level, percent(queue.service_level));
    put(asa, duration(queue.asa_seconds));
    flag(waiting, checks.waiting(queue.waiting));
    flag(longest, checks.longest_wait(longestWait));
    flag(level, checks.service_level(queue.service_level));
  }
  forget("queues", new Set(queues.map((q) => q.queue)));
}

const TEAM_STATES = ["ready", "reserved", "busy", "wrap_up", "not_ready", "logged_out"];

function drawTeamRows(teams) {
  const body = $("teams").tBodies[0];
  for (const [index, team] of teams.entries()) {
    const row = keyed("teams", team.team, body, index,
      tableRow("team", ["", ...TEAM_STATES.map(() => "n")]));
    const [name, ...counts] = row.cells;
    put(name, team.team);
    TEAM_STATES.forEach((state, i) => put(counts[i], team[state] ?? 0));
  }
  forget("teams", new Set(teams.map((t) => t.team)));
}

function drawAgentRows(agents) {
  const body = $("agents").tBodies[0];
  const late = elapsed();
  for (const [index, agent] of agents.entries()) {
    const row = keyed("agents", agent.agent_id, body, index,
      tableRow("agent", ["", "", "", "state", "", "n time", "n"]));
    if (!TV && !row.dataset.actions) {
      row.dataset.actions = "1";
      row.tabIndex = 0;
      row.classList.add("actionable");
      row.addEventListener("click", () => openActions(agent.agent_id));
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter") openActions(agent.agent_id);
      });
    }
    const [id, name, team, state, reason, time, calls] = row.cells;
    put(id, agent.agent_id);
    put(name, agent.name);
    put(team, agent.team || none());
    state.dataset.state = agent.state;
    row.dataset.state = agent.state;
    put(state, words.state(agent.state));
    put(reason, reasonLabel(agent));
    const seconds = agent.seconds_in_state + late;
    put(time, clock(seconds));
    flag(time, checks.not_ready(agent, seconds));
    put(calls, agent.calls_handled);
  }
  forget("agents", new Set(agents.map((a) => a.agent_id)));
}

function drawQueueTiles(queues) {
  const container = $("queue-tiles");
  for (const [index, queue] of queues.entries()) {
    const tile = keyed("queues", queue.queue, container, index, (key) => el("div",
      { className: "queue-tile", dataset: { queue: key } },
      el("span", { className: "name" }, key),
      el("span", { className: "big", dataset: { figure: "waiting" } }),
      el("span", { className: "line", dataset: { figure: "longest_wait" } }),
      el("span", { className: "line", dataset: { figure: "service_level" } }),
      el("span", { className: "line small", dataset: { figure: "counts" } })));
    const [, waiting, longest, level, counts] = tile.children;
    const longestWait = queue.waiting ? queue.longest_wait_seconds : 0;
    put(waiting, queue.waiting);
    put(longest, `${words.t("longest_wait")} ${queue.waiting ? clock(longestWait) : none()}`);
    put(level, `${words.t("service_level")} ${percent(queue.service_level)}`);
    put(counts, `${words.t("answered")} ${queue.answered} · ${words.t("abandoned")} ${queue.abandoned}`);
    flag(waiting, checks.waiting(queue.waiting));
    flag(longest, checks.longest_wait(longestWait));
    flag(level, checks.service_level(queue.service_level));
  }
  forget("queues", new Set(queues.map((q) => q.queue)));
}

function drawAgentTiles(agents) {
  const container = $("agent-tiles");
  const late = elapsed();
  for (const [index, agent] of agents.entries()) {
    const tile = keyed("agents", agent.agent_id, container, index, (key) => el("div",
      { className: "agent-tile", dataset: { agent: key } },
      el("span", { className: "id" }, key), el("span", { className: "name" }),
      el("span", { className: "state" }), el("span", { className: "time" })));
    const [, name, state, time] = tile.children;
    tile.dataset.state = agent.state;
    state.dataset.state = agent.state;
    put(name, agent.name);
    put(state, [words.state(agent.state), reasonLabel(agent)].filter(Boolean).join(" · "));
    const seconds = agent.seconds_in_state + late;
    put(time, clock(seconds));
    flag(time, checks.not_ready(agent, seconds));
  }
  forget("agents", new Set(agents.map((a) => a.agent_id)));
}

function countAlerts() {
  const count = document.querySelectorAll("main .alert").length;
  const badge = $("alert-count");
  badge.hidden = count === 0;
  put(badge, count === 1 ? words.t("alert_one") : words.t("alerts", { count }));
}

// -- acting on an agent (S2) ------------------------------------------------------------------

let acting = null;  // the agent id the actions dialog is open for

function openActions(agentId) {
  const agent = view.board && view.board.agents.find((a) => a.agent_id === agentId);
  if (!agent) return;
  acting = agentId;
  put($("actions-title"), words.t("actions_title", { agent: agentId, name: agent.name }));
  put($("actions-state"), `${words.state(agent.state)} ${reasonLabel(agent)}`.trim());
  const reasons = $("actions-reason");
  reasons.replaceChildren(...[...view.reasons].map(([code, label]) =>
    el("option", { value: code }, label)));
  put($("actions-result"), "");
  $("actions-result").classList.remove("error");
  $("agent-actions").showModal();
}

async function act(button) {
  const command = button.dataset.action;
  const fields = { agent: acting };
  if (button.dataset.mode) fields.mode = button.dataset.mode;
  if (command === "force_not_ready") fields.reason = $("actions-reason").value;
  const result = $("actions-result");
  try {
    const reply = await cti.command(command, fields);
    result.classList.remove("error");
    put(result, reply.monitoring
      ? words.t("monitoring", { mode: words.t(reply.monitoring) })
      : words.t("done", { agent: acting, state: words.state(reply.state) }));
  } catch (error) {
    result.classList.add("error");
    put(result, error.message);
  }
}

function wireActions() {
  const dialog = $("agent-actions");
  if (!dialog) return;
  for (const button of dialog.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", () => act(button));
  }
  $("actions-close").addEventListener("click", () => dialog.close());
  $("actions-form").addEventListener("submit", (event) => event.preventDefault());
}

// -- data -------------------------------------------------------------------------------------

function show(board) {
  view.board = board;
  view.receivedAt = Date.now() / 1000;
  draw();
}

function showError(text) {
  $("message-text").textContent = text;
  $("message").hidden = false;
}

async function fetchReasons() {
  const response = await fetch("/api/not_ready_reasons");
  if (!response.ok) return;  // the codes are shown instead
  view.reasons = new Map((await response.json()).map((reason) => [reason.code, reason.label]));
  draw();
}

async function fetchBoard() {
  const response = await fetch("/api/stats/live");
  if (response.ok) show(await response.json());
  else showError(await apiError(response));
}

const cti = new Cti({
  words,
  onEvent: (message) => {
    if (message.event === "live") show(message.board);
  },
  onOpen: async () => {
    try {
      await cti.command("subscribe", { topic: "live" });
      $("message").hidden = true;
    } catch (error) {
      showError(`subscribe: ${error.message}`);
    }
  },
  onStatus: (status) => {
    const conn = $("conn");
    conn.dataset.status = status;
    conn.dataset.i18n = { open: "connected", connecting: "connecting", closed: "disconnected" }[status];
    conn.textContent = words.t(conn.dataset.i18n);
    document.body.classList.toggle("stale", status !== "open");
  },
});

// -- start ------------------------------------------------------------------------------------

words.start();
words.onChange(draw);
wireThresholds();
wireActions();
const signOutButton = $("sign-out");
if (signOutButton) signOutButton.addEventListener("click", signOut);
fetchReasons();
fetchBoard();
// Not on the TV view, which has no table for it.
if ($("team-tickets")) new TeamTickets({ words, onError: showError }).start();
cti.connect();
// Times in state go on between events.
setInterval(() => {
  if (!view.board) return;
  const late = elapsed();
  const rows = view.rows.agents;
  for (const agent of view.board.agents) {
    const element = rows.get(agent.agent_id);
    const time = element && element.querySelector(".time");
    if (!time) continue;
    const seconds = agent.seconds_in_state + late;
    put(time, clock(seconds));
    flag(time, checks.not_ready(agent, seconds));
  }
  countAlerts();
}, 1000);
