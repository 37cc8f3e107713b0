// The agent desktop: state control, softphone, screen pop and call records, live over the
// CTI WebSocket. The server is the only source of truth for the agent's state: every button
// sends a command and the page redraws from the reply and the events that follow.

import { Cti } from "./cti.js";
import { CUSTOMER_WORDS, CustomerCard } from "./customer_card.js";
import { Words, apiError, clock, combine, el, signOut } from "./i18n.js";
import { KB_WORDS, KbPanel } from "./kb_panel.js";
import { ScreenLock } from "./lock.js";
import { Records } from "./records.js";
import { TICKET_WORDS, TicketPanel } from "./ticket_panel.js";

const DESK_WORDS = {
  en: {
    page_title: "Agent desktop",
    name: "Name", role: "Role", account: "Account", agent_id: "Agent / extension",
    role_agent: "Agent", role_supervisor: "Supervisor", role_admin: "Administrator",
    dismiss: "Dismiss",
    state_heading: "My state",
    queues_legend: "Queues (none ticked: every queue my skills fit)",
    login_queues: "Log in to queues", logout_queues: "Log out of queues",
    ready: "Ready", not_ready: "Not ready", reason: "Reason", end_wrap_up: "End wrap-up",
    lock: "Lock screen", locked: "Screen locked", lock_password: "Your password to unlock",
    unlock: "Unlock", unlocking: "Checking…",
    lock_only_not_ready: "Lock the screen while you are not ready: choose a reason first.",
    wrap_timer: "After-call work {elapsed} of {limit}",
    wrap_timer_manual: "After-call work {elapsed} (until you end it)",
    phone_heading: "Softphone", incoming: "Incoming call", to_answer: "to answer",
    call_number: "Number", call_state: "Call", call_queue: "Queue", call_time: "Time",
    no_call: "No call", call_offered: "Ringing", call_in_service: "Talking",
    call_on_hold: "On hold", call_dialing: "Dialling…", call_completed: "Ended",
    answer: "Answer", decline: "Decline", hangup: "Hang up", hold: "Hold", resume: "Resume",
    hold_resume: "Hold / resume", consult: "Consult", conference: "Conference", keypad: "Keypad",
    consult_hint: "Ring the agent named below while the caller waits on hold",
    announcements_heading: "Announcements", announcements_none: "No announcements.",
    consult_needs_agent: "Choose Agent and type the agent to consult.",
    consulting: "Consulting {agent}", complete_transfer: "Hand over the caller",
    cancel_consult: "Back to the caller",
    keys_sent: "Keys sent",
    transfer: "Transfer", transfer_to: "Transfer to", transfer_target: "Queue, agent or number",
    to_queue: "Queue", to_agent: "Agent", to_number: "Number",
    transfer_needs_target: "Type where to transfer the call to.",
    dial: "Dial", dial_number: "Number to dial",
    dial_needs_number: "Type a number: up to 32 digits, + * #.",
    pop_heading: "Caller",
    pop_empty: "The caller's details appear here when a call comes in.",
    caller: "Caller", dialled: "Dialled", waited: "Waited", transferred_from: "Transferred from",
    ivr_heading: "From the IVR", ivr_nothing: "Nothing collected.",
    history_heading: "Last interactions with this number",
    history_none: "No earlier interactions with this number.",
    records_heading: "My call records",
    show: "Show", show_calls: "Calls", show_missed: "Missed calls", col_why: "Why missed",
    why_no_answer: "Rang out", why_declined: "Declined",
    filter_from: "From", filter_to: "To", any: "Any", inbound: "Inbound", outbound: "Outbound",
    search: "Search", previous: "Previous", next: "Next",
    records_count: "{first}–{last} of {total}", records_none: "No records match.",
    col_time: "Time", col_direction: "Direction", col_number: "Number", col_queue: "Queue",
    col_agent: "Agent", col_result: "Result", col_wait: "Wait", col_talk: "Talk",
    col_hold: "Hold", col_wrap: "Wrap-up",
    result_answered: "Answered", result_transferred: "Transferred",
    result_abandoned: "Abandoned", result_no_answer: "No answer", result_busy: "Busy",
    result_timed_out: "Timed out", result_in_progress: "In progress",
    reason_login: "just logged in", reason_logout: "logged out",
    simulated: "The demo plays this agent until you log in: logging in takes over.",
    work_label: "Tickets, knowledge base and call records",
  },
  zh: {
    page_title: "座席工作台",
    name: "姓名", role: "角色", account: "账号", agent_id: "工号 / 分机",
    role_agent: "座席", role_supervisor: "班长", role_admin: "管理员",
    dismiss: "关闭",
    state_heading: "我的状态",
    queues_legend: "签入队列（不选：按技能签入全部）",
    login_queues: "签入", logout_queues: "签出",
    ready: "就绪", not_ready: "未就绪", reason: "原因", end_wrap_up: "结束话后",
    lock: "锁屏", locked: "屏幕已锁定", lock_password: "输入本人密码解锁",
    unlock: "解锁", unlocking: "正在验证…",
    lock_only_not_ready: "只有在未就绪时才能锁屏：请先选择原因置忙。",
    wrap_timer: "话后处理 {elapsed} / {limit}",
    wrap_timer_manual: "话后处理 {elapsed}（手动结束）",
    phone_heading: "软电话", incoming: "来电", to_answer: "接听",
    call_number: "号码", call_state: "通话", call_queue: "队列", call_time: "时长",
    no_call: "无通话", call_offered: "振铃", call_in_service: "通话中",
    call_on_hold: "保持中", call_dialing: "呼叫中…", call_completed: "已结束",
    answer: "接听", decline: "拒接", hangup: "挂机", hold: "保持", resume: "恢复",
    hold_resume: "保持 / 恢复", consult: "咨询", conference: "会议", keypad: "拨号键盘",
    consult_hint: "来电方保持时呼叫下方填写的座席",
    announcements_heading: "公告", announcements_none: "暂无公告。",
    consult_needs_agent: "请选择“座席”并填写要咨询的座席。",
    consulting: "正在咨询 {agent}", complete_transfer: "转给该座席",
    cancel_consult: "返回来电方",
    keys_sent: "已发送按键",
    transfer: "转接", transfer_to: "转接到", transfer_target: "队列、工号或号码",
    to_queue: "队列", to_agent: "座席", to_number: "外线号码",
    transfer_needs_target: "请填写转接目标。",
    dial: "外呼", dial_number: "外呼号码",
    dial_needs_number: "请输入号码：最多 32 位数字，可含 + * #。",
    pop_heading: "来电信息",
    pop_empty: "来电时在此弹出客户信息。",
    caller: "主叫", dialled: "被叫", waited: "排队", transferred_from: "转自",
    ivr_heading: "IVR 收集的信息", ivr_nothing: "无。",
    history_heading: "该号码最近的接触记录",
    history_none: "该号码没有历史记录。",
    records_heading: "我的通话记录",
    show: "显示", show_calls: "通话", show_missed: "未接来电", col_why: "未接原因",
    why_no_answer: "振铃超时", why_declined: "拒接",
    filter_from: "从", filter_to: "到", any: "全部", inbound: "呼入", outbound: "呼出",
    search: "查询", previous: "上一页", next: "下一页",
    records_count: "第 {first}–{last} 条，共 {total} 条", records_none: "没有符合条件的记录。",
    col_time: "时间", col_direction: "方向", col_number: "号码", col_queue: "队列",
    col_agent: "座席", col_result: "结果", col_wait: "等待", col_talk: "通话",
    col_hold: "保持", col_wrap: "话后",
    result_answered: "已接听", result_transferred: "已转接",
    result_abandoned: "放弃", result_no_answer: "无应答", result_busy: "忙",
    result_timed_out: "超时", result_in_progress: "进行中",
    reason_login: "刚签入", reason_logout: "已签出",
    simulated: "演示程序正在代替此座席接听，签入后由您接管。",
    work_label: "工单、知识库和通话记录",
  },
};
const words = new Words(combine(DESK_WORDS, CUSTOMER_WORDS, TICKET_WORDS, KB_WORDS));

const $ = (id) => document.getElementById(id);
const page = document.body.dataset;
const WRAP_UP_LIMIT = page.wrapUp === "" ? null : Number(page.wrapUp);

const desk = {
  state: "logged_out",
  reason: "",
  since: Date.now() / 1000,
  skew: 0,        // local clock minus the server's, in seconds
  call: null,     // {id, ani, dnis, queue, state, since, direction}
  consulting: null,  // the agent being consulted about the call, while that goes on
  reasons: [],
  // `hotline serve --demo` plays a logged-in agent until the person logs in (taking over).
  demoPlays: document.getElementById("simulated") !== null,
  simulated: false,
  known: false,   // whether the server has told the agent's state yet
};

const cti = new Cti({ onEvent, onOpen, onStatus, words });
const records = new Records(words, showError);
const screenLock = new ScreenLock({
  words, tenant: page.tenant, username: page.username,
  canLock: () => desk.state === "not_ready",
  refused: () => showError(words.t("lock_only_not_ready")),
  describe: () => [words.state(desk.state), reasonLabel(desk.reason)].filter(Boolean).join(" · "),
});
const loadRecords = () => records.load();
// Ticket due times, customers' interactions, articles: a day and a time, in the page's language.
const when = (iso) => new Date(iso).toLocaleString(words.lang === "zh" ? "zh-CN" : "en-GB",
  { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
const tickets = new TicketPanel({
  words, onError: showError, when, staff: page.role !== "agent",
  onAttention: () => {
    if ($("tab-tickets").getAttribute("aria-selected") !== "true") $("tickets-attention").hidden = false;
  },
});
const customerCard = new CustomerCard({
  words, onError: showError, when,
  onCustomer: (customer) => {
    // A known customer's interactions, across their numbers, replace the number's.
    $("pop-number-history").hidden = customer !== null;
    tickets.setCustomer(customer);
  },
});
new KbPanel({ words, onError: showError, when });

// -- messages ---------------------------------------------------------------------------------

function showError(text) {
  $("message-text").textContent = text;
  $("message").hidden = false;
}

function clearError() {
  $("message").hidden = true;
}

// Commands after which the call's record has changed: the list shows it.
const RECORD_CHANGING = new Set(["hangup", "transfer", "end_wrap_up", "ready", "not_ready"]);

// Run a CTI command from a button: the reply redraws the state, an error is shown.
// `prepare(result)` runs before the redraw (dial names its new call there).
async function send(command, fields = {}, prepare = null) {
  try {
    const result = await cti.command(command, fields);
    clearError();
    if (prepare) prepare(result);
    if (result && result.state) applyStatus(result);
    if (RECORD_CHANGING.has(command)) loadRecords();
    return result;
  } catch (error) {
    showError(`${command}: ${error.message}`);
    return null;
  }
}

// -- state ------------------------------------------------------------------------------------

function serverNow() {
  return Date.now() / 1000 - desk.skew;
}

function applyStatus(status) {
  if (!desk.known) {
    desk.known = true;
    desk.simulated = desk.demoPlays && status.state !== "logged_out";
  }
  desk.state = status.state;
  desk.reason = status.reason || "";
  if (typeof status.since === "number") desk.since = status.since;
  if (status.interaction && !desk.simulated
      && (!desk.call || desk.call.id !== status.interaction)) {
    adoptCall(status.interaction);
  }
  drawState();
}

function reasonLabel(code) {
  if (!code) return "";
  const known = desk.reasons.find((reason) => reason.code === code);
  if (known) return known.label;
  const word = words.t(`reason_${code}`);
  return word === `reason_${code}` ? code : word;
}

function drawState() {
  const { state } = desk;
  $("state-badge").dataset.state = state;
  $("state-text").textContent = words.state(state);
  $("state-reason").textContent = state === "not_ready" ? reasonLabel(desk.reason) : "";
  const loggedIn = state !== "logged_out";
  const onCall = state === "busy" || state === "reserved";
  const mine = loggedIn && !desk.simulated;
  $("simulated")?.toggleAttribute("hidden", !desk.simulated);
  $("btn-login").disabled = mine;
  $("btn-logout-queues").disabled = !mine || onCall;
  for (const box of $("queue-list").querySelectorAll("input")) box.disabled = mine;
  $("btn-ready").disabled = !mine || state === "ready" || onCall;
  $("btn-not-ready").disabled = !mine || state === "reserved";
  $("reason").disabled = !mine;
  $("btn-end-wrap").disabled = !mine || state !== "wrap_up";
  $("wrap-timer").hidden = !mine || state !== "wrap_up";
  $("btn-lock").disabled = !mine || state !== "not_ready";
  drawCall();
  tick();
}

function drawCall() {
  const { call, state } = desk;
  const ringing = state === "reserved" && call !== null && call.state === "offered";
  $("ring").hidden = !ringing;
  document.body.classList.toggle("ringing", ringing);
  if (ringing) {
    $("ring-number").textContent = call.ani || "";
    $("ring-queue").textContent = call.queue || "";
  }
  const live = call !== null && call.state !== "completed";
  $("call-number").textContent = call ? (call.ani || words.t("none")) : words.t("none");
  $("call-queue").textContent = call && call.queue ? call.queue : words.t("none");
  const callState = $("call-state");
  callState.dataset.i18n = call ? `call_${call.state}` : "no_call";
  callState.textContent = words.t(callState.dataset.i18n);
  $("call").dataset.state = call ? call.state : "none";
  $("btn-answer").disabled = !ringing;
  $("btn-decline").disabled = !ringing;
  const talking = live && state === "busy" && ["in_service", "on_hold"].includes(call.state);
  $("btn-hangup").disabled = !(live && state === "busy");
  $("btn-hold").disabled = !talking || Boolean(desk.consulting);
  $("btn-consult").disabled = !talking || Boolean(desk.consulting);
  $("consult-actions").hidden = !desk.consulting;
  if (desk.consulting) {
    $("consult-with").textContent = words.t("consulting", { agent: desk.consulting });
  }
  for (const key of $("dtmf-pad").querySelectorAll("button")) key.disabled = !talking;
  $("dtmf-sent").textContent = (desk.call && desk.call.digits) || "";
  const held = live && call.state === "on_hold";
  $("hold-label").dataset.i18n = held ? "resume" : "hold";
  $("hold-label").textContent = words.t(held ? "resume" : "hold");
  $("btn-transfer").disabled = !talking;
  $("btn-dial").disabled = desk.simulated || !["ready", "not_ready", "wrap_up"].includes(state);
}

// Once a second: the time in state, the call's time, the wrap-up timer, the ringing title.
function tick() {
  const now = serverNow();
  $("state-timer").textContent = clock(now - desk.since);
  const { call } = desk;
  $("call-timer").textContent = call && call.state !== "completed"
    ? clock(now - call.since) : words.t("none");
  if (desk.state === "wrap_up") {
    const elapsed = clock(now - desk.since);
    $("wrap-timer").textContent = WRAP_UP_LIMIT === null
      ? words.t("wrap_timer_manual", { elapsed })
      : words.t("wrap_timer", { elapsed, limit: clock(WRAP_UP_LIMIT) });
  }
  const ringing = document.body.classList.contains("ringing");
  const base = `Hotline · ${page.agent}`;
  document.title = ringing && Math.floor(Date.now() / 1000) % 2 === 0
    ? `☎ ${words.t("incoming")} · ${base}` : base;
}

// -- CTI events -------------------------------------------------------------------------------

function onStatus(status) {
  const conn = $("conn");
  conn.dataset.status = status;
  conn.dataset.i18n = { open: "connected", connecting: "connecting", closed: "disconnected" }[status];
  conn.textContent = words.t(conn.dataset.i18n);
}

async function onOpen() {
  const status = await send("status");
  if (status && !status.interaction && desk.call && desk.call.state !== "completed") {
    desk.call.state = "completed";
    drawCall();
  }
}

function onEvent(message) {
  if (typeof message.at === "number") desk.skew = Date.now() / 1000 - message.at;
  if (message.event === "ticket") {
    tickets.onTicketEvent(message);  // the person's work list, whoever plays the agent
  } else if (message.event === "agent_state") {
    // Taken over from a consultation: the caller's call (a conference, or a new leg of a
    // transfer) is this agent's call now.
    if (message.previous === "busy" && message.state === "busy" && desk.call
        && message.interaction && message.interaction !== desk.call.id) {
      desk.call = { ...desk.call, id: message.interaction, state: "in_service" };
      drawCall();
    }
    // Off the call while it goes on without this agent (they left a conference).
    if (message.previous === "busy" && message.state !== "busy" && desk.call
        && desk.call.id === message.interaction && desk.call.state !== "completed") {
      desk.call.state = "completed";
      desk.consulting = null;
      drawCall();
    }
    const leftWrapUp = desk.state === "wrap_up" && message.state !== "wrap_up";
    desk.state = message.state;
    desk.reason = message.reason || "";
    desk.since = message.at;
    if (leftWrapUp) setTimeout(loadRecords, 1000);
    drawState();
  } else if (desk.simulated) {
    return;  // the demo's calls for this agent are not the person's to handle
  } else if (message.event === "offer") {
    desk.call = {
      id: message.interaction, ani: message.ani, dnis: message.dnis, queue: message.queue,
      state: "offered", since: message.at, direction: "inbound",
    };
    screenPop(message);
    drawCall();
  } else if (message.event === "interaction") {
    const { call } = desk;
    if (!call || call.id !== message.interaction) return;
    if (message.state === "in_service" && call.state !== "on_hold") call.since = message.at;
    call.state = message.state;
    if (message.queue) call.queue = message.queue;
    // The event comes before its record is written: look a moment later.
    if (message.state === "completed") {
      desk.consulting = null;
      setTimeout(loadRecords, 1000);
    }
    drawCall();
  }
}

// A call the page did not see start (the page was reloaded during it): find its record.
async function adoptCall(id) {
  desk.call = { id, ani: "", dnis: "", queue: "", state: "in_service", since: desk.since };
  const response = await fetch(`/api/interactions?limit=20`);
  if (!response.ok) return;
  const record = (await response.json()).items.find((item) => item.interaction_id === id);
  if (!record || !desk.call || desk.call.id !== id) return;
  const outbound = record.direction === "outbound";
  Object.assign(desk.call, {
    ani: outbound ? record.dnis : record.ani, dnis: record.dnis, queue: record.queue || "",
    state: ["on_hold", "dialing", "offered"].includes(record.state) ? record.state : "in_service",
    direction: record.direction,
  });
  drawCall();
}

// -- announcements (D5) -----------------------------------------------------------------------

const ANNOUNCEMENTS_EVERY_MS = 60000;

async function loadAnnouncements() {
  const response = await fetch("/api/announcements");
  if (!response.ok) return;  // not worth an error over the agent's work
  const items = await response.json();
  const list = $("announcements");
  list.replaceChildren(...(items.length === 0
    ? [el("li", { className: "muted" }, words.t("announcements_none"))]
    : items.map((item) => el("li", {},
      el("strong", {}, item.title), item.body ? ` — ${item.body}` : ""))));
}

// -- screen pop -------------------------------------------------------------------------------

function screenPop(offer) {
  $("pop-empty").hidden = true;
  $("pop-body").hidden = false;
  $("pop-ani").textContent = offer.ani || words.t("none");
  $("pop-dnis").textContent = offer.dnis || words.t("none");
  $("pop-queue").textContent = offer.queue || words.t("none");
  $("pop-waited").textContent = clock(offer.at - offer.waiting_since);
  $("pop-transfer-row").hidden = !offer.transferred_from;
  $("pop-transferred").textContent = offer.transferred_from || "";
  const attributes = $("pop-attributes");
  attributes.replaceChildren();
  const entries = Object.entries(offer.attributes || {});
  if (entries.length === 0) {
    attributes.append(el("p", { className: "muted", dataset: { i18n: "ivr_nothing" } },
      words.t("ivr_nothing")));
  }
  for (const [key, value] of entries) {
    attributes.append(el("div", {}, el("dt", {}, key),
      el("dd", {}, typeof value === "object" ? JSON.stringify(value) : String(value))));
  }
  records.history($("pop-history"), offer.ani, offer.interaction);
  tickets.setCall({ ani: offer.ani || "", interaction: offer.interaction });
  customerCard.show(offer);
}

// -- the work tabs: tickets, knowledge base, call records --------------------------------------

function chooseTab(chosen) {
  for (const tab of document.querySelectorAll('.work [role="tab"]')) {
    const selected = tab === chosen;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  if (chosen.id === "tab-tickets") $("tickets-attention").hidden = true;
  if (chosen.id === "tab-kb") $("kb-query").focus();
}

function wireTabs() {
  const tabs = [...document.querySelectorAll('.work [role="tab"]')];
  for (const [index, tab] of tabs.entries()) {
    tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
    tab.addEventListener("click", () => chooseTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(index + step + tabs.length) % tabs.length];
      chooseTab(next);
      next.focus();
    });
  }
  // A click on a ticket of the customer card opens it in the tickets tab.
  $("customer-tickets").addEventListener("click", () => chooseTab($("tab-tickets")), true);
  $("ticket-notice").addEventListener("click", () => chooseTab($("tab-tickets")));
  $("customer-new-ticket").addEventListener("click", () => {
    chooseTab($("tab-tickets"));
    tickets.openForm();
  });
}

// -- reference data ---------------------------------------------------------------------------

async function loadReasons() {
  const response = await fetch("/api/not_ready_reasons");
  if (!response.ok) {
    showError(await apiError(response));
    return;
  }
  desk.reasons = await response.json();
  const select = $("reason");
  select.replaceChildren(...desk.reasons.map((reason) =>
    el("option", { value: reason.code }, reason.label)));
  drawState();
}

async function loadQueues() {
  const response = await fetch("/api/queues");
  if (!response.ok) {
    showError(await apiError(response));
    return;
  }
  const names = (await response.json()).map((queue) => queue.name);
  $("queue-list").replaceChildren(...names.map((name) =>
    el("label", { className: "check" },
      el("input", { type: "checkbox", value: name, name: "queue" }), ` ${name}`)));
  $("queue-names").replaceChildren(...names.map((name) => el("option", { value: name })));
  drawState();
}

// -- actions ----------------------------------------------------------------------------------

function chosenQueues() {
  return [...$("queue-list").querySelectorAll("input:checked")].map((box) => box.value);
}

const actions = {
  login: () => {
    const queues = chosenQueues();
    return send("login", queues.length ? { queues } : {}, () => { desk.simulated = false; });
  },
  logoutQueues: () => send("logout", {}, () => { desk.simulated = desk.demoPlays; }),
  ready: () => !$("btn-ready").disabled && send("ready"),
  notReady: () => !$("btn-not-ready").disabled && send("not_ready", { reason: $("reason").value }),
  endWrapUp: () => !$("btn-end-wrap").disabled && send("end_wrap_up"),
  answer: () => !$("btn-answer").disabled && send("answer", { interaction: desk.call.id }),
  decline: () => !$("btn-decline").disabled && send("decline", { interaction: desk.call.id }),
  hangup: () => !$("btn-hangup").disabled && send("hangup", { interaction: desk.call.id }),
  hold: async () => {
    if ($("btn-hold").disabled) return;
    const call = desk.call;
    const held = call.state === "on_hold";
    if (await send(held ? "unhold" : "hold", { interaction: call.id })) {
      // The interaction event says so too; the reply is enough to redraw at once.
      if (desk.call === call) call.state = held ? "in_service" : "on_hold";
      drawCall();
    }
  },
  transfer: () => {
    if ($("btn-transfer").disabled) return;
    const target = $("transfer-target").value.trim();
    if (!target) {
      showError(words.t("transfer_needs_target"));
      $("transfer-target").focus();
      return;
    }
    send("transfer", { interaction: desk.call.id, [$("transfer-kind").value]: target });
  },
  dial: async () => {
    if ($("btn-dial").disabled) return;
    const number = $("dial-number").value.trim();
    if (!/^[0-9+*#]{1,32}$/.test(number)) {
      showError(words.t("dial_needs_number"));
      $("dial-number").focus();
      return;
    }
    await send("dial", { number }, (result) => {
      desk.call = { id: result.interaction, ani: number, dnis: number, queue: "",
        state: "dialing", since: serverNow(), direction: "outbound" };
    });
  },
  consult: async () => {
    if ($("btn-consult").disabled) return;
    const agent = $("transfer-target").value.trim();
    if ($("transfer-kind").value !== "agent" || !agent) {
      showError(words.t("consult_needs_agent"));
      $("transfer-kind").focus();
      return;
    }
    const call = desk.call;
    if (await send("consult", { interaction: call.id, agent })) {
      desk.consulting = agent;
      call.state = "on_hold";
      drawCall();
    }
  },
  endConsult: async (command) => {
    const call = desk.call;
    if (await send(command, { interaction: call.id })) {
      desk.consulting = null;
      if (command !== "complete_transfer" && desk.call === call) call.state = "in_service";
      drawCall();
    }
  },
  // The keypad: each key goes into the call at once (an IVR on the far side, an extension).
  digit: async (key) => {
    if (key.disabled) return;
    const call = desk.call;
    if (await send("dtmf", { interaction: call.id, digits: key.dataset.digit })) {
      call.digits = (call.digits || "") + key.dataset.digit;
      if (desk.call === call) $("dtmf-sent").textContent = call.digits;
    }
  },
};

function bind(id, action) {
  $(id).addEventListener("click", action);
}

bind("btn-login", actions.login);
bind("btn-logout-queues", actions.logoutQueues);
bind("btn-ready", actions.ready);
bind("btn-not-ready", actions.notReady);
bind("btn-end-wrap", actions.endWrapUp);
bind("btn-answer", actions.answer);
bind("btn-decline", actions.decline);
bind("btn-hangup", actions.hangup);
bind("btn-hold", actions.hold);
bind("btn-consult", actions.consult);
bind("btn-complete", () => actions.endConsult("complete_transfer"));
bind("btn-conference", () => actions.endConsult("conference"));
bind("btn-cancel-consult", () => actions.endConsult("cancel_consult"));
for (const key of $("dtmf-pad").querySelectorAll("button")) {
  key.addEventListener("click", () => actions.digit(key));
}
bind("btn-lock", () => screenLock.lock());
wireTabs();
bind("message-close", clearError);
$("transfer-kind").addEventListener("change", () => {
  const toQueue = $("transfer-kind").value === "queue";
  if (toQueue) $("transfer-target").setAttribute("list", "queue-names");
  else $("transfer-target").removeAttribute("list");
});
$("transfer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  actions.transfer();
});
$("dial-form").addEventListener("submit", (event) => {
  event.preventDefault();
  actions.dial();
});
$("sign-out").addEventListener("click", async () => {
  if (desk.state !== "logged_out" && !(await send("logout"))) return;
  screenLock.forget();
  signOut();
});

const SHORTCUTS = {
  F2: actions.answer,
  F3: () => $("dial-number").value.trim() ? actions.dial() : $("dial-number").focus(),
  F4: actions.hangup,
  F6: actions.hold,
  F7: actions.ready,
  F8: actions.notReady,
  F9: actions.endWrapUp,
  F10: () => $("transfer-target").value.trim() ? actions.transfer() : $("transfer-target").focus(),
};

document.addEventListener("keydown", (event) => {
  if (screenLock.locked) return;
  if (event.altKey && event.key.toLowerCase() === "l") {
    event.preventDefault();
    screenLock.lock();
    return;
  }
  const action = SHORTCUTS[event.key];
  if (action && !event.ctrlKey && !event.altKey && !event.metaKey) {
    event.preventDefault();
    action();
  }
});

// -- start ------------------------------------------------------------------------------------

words.start();
words.onChange(() => {
  drawState();
  loadRecords();
  loadAnnouncements();
});
drawState();
cti.connect();
loadReasons();
loadQueues();
loadRecords();
loadAnnouncements();
tickets.loadMine();
setInterval(loadAnnouncements, ANNOUNCEMENTS_EVERY_MS);
setInterval(tick, 1000);
