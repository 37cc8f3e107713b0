// The ticket panel of the agent desktop (D4, C2): a ticket created from the call without
// leaving the page (linked to the caller's customer and to the call), the caller's tickets
// (also on the customer card, the unfinished ones), the agent's work list
// (`GET /api/tickets/mine`), and one ticket's details, history and workflow actions. The CTI
// `ticket` event refreshes the lists; reminders, escalations and assignments show a notice.

import { apiError, el } from "./i18n.js";

export const TICKET_WORDS = {
  en: {
    tickets_heading: "Tickets", new_ticket: "New ticket", refresh: "Refresh",
    caller_tickets: "The caller's tickets", caller_tickets_none: "No tickets for this caller.",
    caller_tickets_no_call: "The caller's tickets appear here during a call.",
    my_tickets: "My tickets", my_tickets_none: "Nothing on your work list.",
    my_tickets_count: "({count})",
    ticket_side_empty: "Choose a ticket, or create one from the call.",
    ticket_type: "Type", ticket_priority: "Priority", ticket_title: "Title",
    ticket_description: "Description", create_ticket: "Create ticket",
    ticket_title_needed: "Type a title for the ticket.",
    ticket_field_needed: "Fill in {field}.",
    ticket_linked: "For {who} · call {call}", ticket_linked_no_call: "For {who}",
    ticket_unlinked: "Not linked to a caller.",
    ticket_action: "Action", dispatch_to: "Dispatch to", dispatch_user: "User",
    dispatch_team: "Team", dispatch_target: "User name or team", ticket_comment: "Comment",
    do_action: "Do it", no_actions: "Nothing more to do with this ticket.",
    dispatch_needs_target: "Type the user or team to dispatch to.",
    ticket_events: "History", ticket_state: "State", ticket_assignee: "Assignee",
    ticket_team: "Team", ticket_due: "Due", ticket_created_by: "Created by",
    ticket_customer: "Customer", overdue: "overdue", yes: "yes", no: "no",
    ticket_label: "#{id} {title}",
    event_line: "{at} · {user} · {action}",
    notice_reminder: "Reminder: ticket #{id} “{title}” is due at {due}.",
    notice_escalated: "Escalated: ticket #{id} “{title}” is overdue (due {due}).",
    notice_assigned: "Ticket #{id} “{title}” is now yours to work on.",
    notice_created: "New ticket #{id} “{title}” for your team.",
    type_repair: "Repair", type_complaint: "Complaint", type_suggestion: "Suggestion",
    type_appointment: "Appointment", type_business: "Business request",
    priority_low: "Low", priority_normal: "Normal", priority_high: "High",
    priority_urgent: "Urgent",
    ticket_new: "New", ticket_accepted: "Accepted", ticket_dispatched: "Dispatched",
    ticket_in_progress: "In progress", ticket_awaiting_approval: "Awaiting approval",
    ticket_awaiting_instruction: "Awaiting instruction", ticket_resolved: "Resolved",
    ticket_replied: "Replied", ticket_closed: "Closed",
    action_create: "Created", action_accept: "Accept", action_dispatch: "Dispatch",
    action_start: "Start work", action_request_approval: "Ask for approval",
    action_request_instruction: "Ask for instructions", action_resume: "Resume",
    action_resolve: "Resolve", action_reply: "Reply to the customer", action_close: "Close",
    action_reopen: "Reopen",
  },
  zh: {
    tickets_heading: "工单", new_ticket: "新建工单", refresh: "刷新",
    caller_tickets: "来电客户的工单", caller_tickets_none: "该来电客户没有工单。",
    caller_tickets_no_call: "通话时在此显示来电客户的工单。",
    my_tickets: "我的工单", my_tickets_none: "待办工单为空。",
    my_tickets_count: "（{count}）",
    ticket_side_empty: "选择一张工单，或根据来电新建工单。",
    ticket_type: "类型", ticket_priority: "优先级", ticket_title: "标题",
    ticket_description: "描述", create_ticket: "创建工单",
    ticket_title_needed: "请填写工单标题。",
    ticket_field_needed: "请填写{field}。",
    ticket_linked: "客户：{who} · 通话 {call}", ticket_linked_no_call: "客户：{who}",
    ticket_unlinked: "未关联来电客户。",
    ticket_action: "操作", dispatch_to: "派给", dispatch_user: "人员",
    dispatch_team: "班组", dispatch_target: "用户名或班组", ticket_comment: "处理意见",
    do_action: "执行", no_actions: "该工单已无可执行的操作。",
    dispatch_needs_target: "请填写派单的人员或班组。",
    ticket_events: "处理记录", ticket_state: "状态", ticket_assignee: "处理人",
    ticket_team: "班组", ticket_due: "时限", ticket_created_by: "创建人",
    ticket_customer: "客户", overdue: "已超时", yes: "是", no: "否",
    ticket_label: "#{id} {title}",
    event_line: "{at} · {user} · {action}",
    notice_reminder: "提醒：工单 #{id}「{title}」将于 {due} 到期。",
    notice_escalated: "升级：工单 #{id}「{title}」已超时（时限 {due}）。",
    notice_assigned: "工单 #{id}「{title}」已派给您处理。",
    notice_created: "班组有新工单 #{id}「{title}」。",
    type_repair: "抢修", type_complaint: "投诉", type_suggestion: "建议",
    type_appointment: "预约", type_business: "业务办理",
    priority_low: "低", priority_normal: "普通", priority_high: "高", priority_urgent: "紧急",
    ticket_new: "新建", ticket_accepted: "已受理", ticket_dispatched: "已派单",
    ticket_in_progress: "处理中", ticket_awaiting_approval: "待审批",
    ticket_awaiting_instruction: "待指示", ticket_resolved: "已解决",
    ticket_replied: "已回复", ticket_closed: "已关闭",
    action_create: "创建", action_accept: "受理", action_dispatch: "派单",
    action_start: "开始处理", action_request_approval: "提请审批",
    action_request_instruction: "请求指示", action_resume: "继续处理",
    action_resolve: "办结", action_reply: "回复客户", action_close: "关闭",
    action_reopen: "重新打开",
  },
};

// The workflow table of hotline.crm.ticket_workflow: which actions each state allows (the
// server decides; this only offers the ones it would take).
const ACTIONS = {
  new: ["accept"],
  accepted: ["dispatch", "start", "resolve"],
  dispatched: ["dispatch", "start"],
  in_progress: ["resolve", "dispatch", "request_approval", "request_instruction"],
  awaiting_approval: ["resume"],
  awaiting_instruction: ["resume"],
  resolved: ["reply", "reopen"],
  replied: ["close", "reopen"],
  closed: ["reopen"],
};
const FINISHED = new Set(["resolved", "replied", "closed"]);
const DEFAULT_TYPES = ["repair", "complaint", "suggestion", "appointment", "business"]
  .map((type) => ({ type, fields: [] }));
const NOTICES = new Set(["reminder", "escalated", "assigned", "created"]);

export class TicketPanel {
  // when(iso) formats a time; onAttention() runs when a notice wants the agent to look.
  constructor({ words, onError, when, staff, onAttention }) {
    this.words = words;
    this.onError = onError;
    this.when = when;
    this.onAttention = onAttention;
    this.types = DEFAULT_TYPES;
    this.call = null;       // {ani, interaction}
    this.customer = null;   // the caller's customer record, or null
    this.callerTickets = [];
    this.mine = [];
    this.mineTotal = 0;
    this.open = null;       // the ticket shown in detail
    this.serial = 0;
    const $ = (id) => document.getElementById(id);
    this.form = $("ticket-form");
    this.actionForm = $("ticket-action-form");
    $("ticket-new").addEventListener("click", () => this.openForm());
    $("tickets-refresh").addEventListener("click", () => this.refresh());
    $("ticket-form-cancel").addEventListener("click", () => this.showSide(null));
    $("ticket-type").addEventListener("change", () => this.drawCustomFields());
    $("ticket-notice-close").addEventListener("click", () => { $("ticket-notice").hidden = true; });
    $("ticket-action").addEventListener("change", () => this.drawDispatch());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.create();
    });
    this.actionForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.act();
    });
    words.onChange(() => this.redraw());
    this.drawCallerTickets();
    this.loadTypes();
    if (staff) this.loadTeams();
  }

  // -- the caller ----------------------------------------------------------------------------

  setCall(call) {
    this.call = call;
    this.customer = null;
    this.callerTickets = [];
    this.drawCallerTickets();
    this.drawLink();
  }

  setCustomer(customer) {
    this.customer = customer;
    this.drawLink();
    this.loadCallerTickets();
  }

  // The customer's tickets and those filed under the caller's number (before the caller was
  // saved as a customer, say), soonest due first.
  async loadCallerTickets() {
    const serial = ++this.serial;
    const { customer, call } = this;
    const queries = [];
    if (customer) queries.push(`customer_id=${encodeURIComponent(customer.id)}`);
    if (call && call.ani) queries.push(`customer_phone=${encodeURIComponent(call.ani)}`);
    const responses = await Promise.all(queries.map((query) =>
      fetch(`/api/tickets?${query}&limit=50`)));
    if (serial !== this.serial) return;
    const found = new Map();
    for (const response of responses) {
      if (!response.ok) {
        this.onError(await apiError(response));
        return;
      }
      for (const ticket of (await response.json()).items) found.set(ticket.id, ticket);
    }
    this.callerTickets = [...found.values()].sort((a, b) =>
      new Date(a.due_at) - new Date(b.due_at) || a.id - b.id);
    this.drawCallerTickets();
  }

  drawCallerTickets() {
    const { words } = this;
    const tickets = this.callerTickets;
    const inTab = document.getElementById("caller-tickets");
    inTab.replaceChildren(...tickets.map((ticket) => this.item(ticket)));
    if (!tickets.length) {
      inTab.append(el("li", { className: "muted" },
        words.t(this.call ? "caller_tickets_none" : "caller_tickets_no_call")));
    }
    const open = tickets.filter((ticket) => !FINISHED.has(ticket.state));
    const onCard = document.getElementById("customer-tickets");
    onCard.replaceChildren(...open.map((ticket) => this.item(ticket)));
    if (!open.length) onCard.append(el("li", { className: "muted" }, words.t("customer_no_tickets")));
  }

  // -- the work list -------------------------------------------------------------------------

  async loadMine() {
    const response = await fetch("/api/tickets/mine?limit=100");
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    const page = await response.json();
    this.mine = page.items;
    this.mineTotal = page.total;
    this.drawMine();
  }

  drawMine() {
    const list = document.getElementById("my-tickets");
    list.replaceChildren(...this.mine.map((ticket) => this.item(ticket)));
    if (!this.mine.length) list.append(el("li", { className: "muted" }, this.words.t("my_tickets_none")));
    document.getElementById("my-tickets-count").textContent =
      this.words.t("my_tickets_count", { count: this.mineTotal ?? this.mine.length });
  }

  refresh() {
    this.loadMine();
    if (this.call) this.loadCallerTickets();
    if (this.open) this.openTicket(this.open.id);
  }

  // A CTI `ticket` event: {change, ticket}.
  onTicketEvent(message) {
    const ticket = message.ticket || {};
    this.loadMine();
    const callers = this.callerTickets.some((t) => t.id === ticket.id)
      || (this.customer && ticket.customer_id === this.customer.id);
    if (callers) this.loadCallerTickets();
    if (this.open && this.open.id === ticket.id) this.openTicket(ticket.id);
    if (NOTICES.has(message.change) && ticket.id !== undefined) {
      const notice = document.getElementById("ticket-notice");
      const due = ticket.due_at ? this.when(ticket.due_at) : this.words.t("none");
      const text = document.getElementById("ticket-notice-text");
      text.textContent = this.words.t(`notice_${message.change}`,
        { id: ticket.id, title: ticket.title || "", due });
      notice.dataset.change = message.change;
      notice.dataset.ticket = ticket.id;
      notice.hidden = false;
      this.onAttention();
    }
  }

  // -- list items ----------------------------------------------------------------------------

  overdue(ticket) {
    return !FINISHED.has(ticket.state) && new Date(ticket.due_at).getTime() < Date.now();
  }

  item(ticket) {
    const { words } = this;
    const overdue = this.overdue(ticket);
    const button = el("button", { type: "button", className: "ticket-open" },
      el("span", { className: "ticket-title" }, words.t("ticket_label",
        { id: ticket.id, title: ticket.title })),
      el("span", { className: "ticket-meta" },
        el("span", { className: "ticket-state", dataset: { state: ticket.state } },
          words.t(`ticket_${ticket.state}`)),
        ` · ${words.t(`type_${ticket.type}`)} · ${words.t(`priority_${ticket.priority}`)} · `,
        el("span", { className: overdue ? "due overdue" : "due" },
          `${words.t("ticket_due")} ${this.when(ticket.due_at)}`
          + (overdue ? ` (${words.t("overdue")})` : ""))));
    button.addEventListener("click", () => this.openTicket(ticket.id));
    return el("li", { className: "ticket-item", dataset: { ticket: ticket.id, state: ticket.state,
      priority: ticket.priority } }, button);
  }

  // -- the side: a new ticket, or one ticket -------------------------------------------------

  showSide(which) {
    document.getElementById("ticket-side-empty").hidden = which !== null;
    this.form.hidden = which !== "form";
    document.getElementById("ticket-detail").hidden = which !== "detail";
    if (which !== "detail") this.open = null;
  }

  async loadTypes() {
    const response = await fetch("/api/ticket_types");
    // Without the types' configuration the five built-in types are offered, without fields.
    if (response.ok) this.types = await response.json();
    this.drawTypes();
  }

  drawTypes() {
    const select = document.getElementById("ticket-type");
    const chosen = select.value;
    select.replaceChildren(...this.types.map((type) =>
      el("option", { value: type.type }, this.typeName(type.type))));
    if (chosen && this.types.some((type) => type.type === chosen)) select.value = chosen;
    this.drawCustomFields();
  }

  typeName(type) {
    const word = this.words.t(`type_${type}`);
    return word === `type_${type}` ? type : word;
  }

  async loadTeams() {
    const response = await fetch("/api/teams");
    if (!response.ok) return;  // the target is typed instead
    const teams = await response.json();
    document.getElementById("ticket-teams").replaceChildren(...teams.map((team) =>
      el("option", { value: team.name })));
  }

  drawLink() {
    const { call, customer, words } = this;
    const who = customer ? customer.name : call && call.ani;
    const text = !who ? words.t("ticket_unlinked")
      : call && call.interaction ? words.t("ticket_linked", { who, call: call.interaction })
        : words.t("ticket_linked_no_call", { who });
    document.getElementById("ticket-link").textContent = text;
  }

  openForm() {
    this.showSide("form");
    this.drawLink();
    document.getElementById("ticket-form-error").hidden = true;
    this.form.elements.title.focus();
  }

  fieldsOf(typeName) {
    const type = this.types.find((candidate) => candidate.type === typeName);
    return (type && type.fields) || [];
  }

  // The chosen type's own fields (meter number, appointment slot...).
  drawCustomFields() {
    const container = document.getElementById("ticket-custom");
    const fields = this.fieldsOf(document.getElementById("ticket-type").value);
    const previous = this.customValues(false);
    container.replaceChildren(...fields.map((field) => {
      const name = `custom-${field.name}`;
      let input;
      if (field.kind === "boolean") {
        input = el("input", { type: "checkbox", name });
      } else if (field.kind === "choice") {
        input = el("select", { name },
          field.required ? null : el("option", { value: "" }, this.words.t("none")),
          ...(field.choices || []).map((choice) => el("option", { value: choice }, choice)));
      } else {
        input = el("input", { name, autocomplete: "off",
          type: { number: "number", date: "date" }[field.kind] || "text" });
        if (field.kind === "number") input.step = "any";
        if (field.max_length) input.maxLength = field.max_length;
      }
      input.dataset.field = field.name;
      input.required = Boolean(field.required) && field.kind !== "boolean";
      if (field.name in previous) {
        if (field.kind === "boolean") input.checked = Boolean(previous[field.name]);
        else input.value = String(previous[field.name]);
      }
      return el("label", { className: field.kind === "boolean" ? "field field-check" : "field" },
        el("span", { className: "field-label" }, field.label || field.name,
          input.required ? el("span", { className: "required" }, " *") : null),
        input);
    }));
  }

  // The custom fields' values by name; with `check`, null when a required one is empty.
  customValues(check = true) {
    const values = {};
    const fields = this.fieldsOf(document.getElementById("ticket-type").value);
    for (const input of document.querySelectorAll("#ticket-custom [data-field]")) {
      const field = fields.find((candidate) => candidate.name === input.dataset.field);
      if (!field) continue;
      if (field.kind === "boolean") {
        values[field.name] = input.checked;
      } else if (input.value.trim() !== "") {
        values[field.name] = field.kind === "number" ? Number(input.value) : input.value.trim();
      } else if (check && field.required) {
        this.formError(this.words.t("ticket_field_needed", { field: field.label || field.name }));
        input.focus();
        return null;
      }
    }
    return values;
  }

  formError(text) {
    const error = document.getElementById("ticket-form-error");
    error.textContent = text;
    error.hidden = false;
  }

  async create() {
    const form = this.form.elements;
    const title = form.title.value.trim();
    if (!title) {
      this.formError(this.words.t("ticket_title_needed"));
      form.title.focus();
      return;
    }
    const customFields = this.customValues();
    if (customFields === null) return;
    const body = { type: form.type.value, priority: form.priority.value, title,
      description: form.description.value, custom_fields: customFields };
    const { call, customer } = this;
    if (customer) body.customer_id = customer.id;
    if (call && call.ani) body.customer_phone = call.ani;
    if (call && call.interaction) body.interaction_id = call.interaction;
    const button = document.getElementById("ticket-create");
    button.disabled = true;
    try {
      const response = await fetch("/api/tickets", { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) {
        this.formError(await apiError(response));
        return;
      }
      const ticket = await response.json();
      form.title.value = "";
      form.description.value = "";
      this.drawCustomFields();
      for (const input of document.querySelectorAll("#ticket-custom [data-field]")) {
        if (input.type === "checkbox") input.checked = false;
        else input.value = "";
      }
      this.show(ticket, []);
      this.loadCallerTickets();
      this.loadMine();
      this.loadEvents(ticket.id);
    } finally {
      button.disabled = false;
    }
  }

  async openTicket(id) {
    const response = await fetch(`/api/tickets/${encodeURIComponent(id)}`);
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    this.show(await response.json(), null);
    this.loadEvents(id);
  }

  async loadEvents(id) {
    const response = await fetch(`/api/tickets/${encodeURIComponent(id)}/events`);
    if (!response.ok || !this.open || this.open.id !== id) return;
    this.events = await response.json();
    this.drawEvents();
  }

  // Draw `ticket` in the side; `events` (or null: keep, they are being fetched).
  show(ticket, events) {
    const opened = !this.open || this.open.id !== ticket.id;
    if (events !== null) this.events = events;
    else if (opened) this.events = [];
    this.showSide("detail");
    this.open = ticket;
    this.drawDetail(opened);
  }

  drawDetail(opened = false) {
    const ticket = this.open;
    if (!ticket) return;
    const { words } = this;
    const $ = (id) => document.getElementById(id);
    const detail = $("ticket-detail");
    detail.dataset.ticket = ticket.id;
    detail.dataset.state = ticket.state;
    $("ticket-detail-title").textContent = words.t("ticket_label",
      { id: ticket.id, title: ticket.title });
    const overdue = this.overdue(ticket);
    const facts = [
      ["ticket_state", words.t(`ticket_${ticket.state}`), "state"],
      ["ticket_type", this.typeName(ticket.type)],
      ["ticket_priority", words.t(`priority_${ticket.priority}`)],
      ["ticket_due", this.when(ticket.due_at) + (overdue ? ` (${words.t("overdue")})` : "")],
      ["ticket_assignee", ticket.assignee || words.t("none")],
      ["ticket_team", ticket.team || words.t("none")],
      ["ticket_created_by", ticket.created_by],
    ];
    $("ticket-detail-facts").replaceChildren(...facts.map(([key, value, name]) =>
      el("div", {}, el("dt", {}, words.t(key)),
        el("dd", { dataset: { fact: name || key } }, value))));
    $("ticket-detail-description").textContent = ticket.description || "";
    const labels = new Map(this.fieldsOf(ticket.type).map((f) => [f.name, f.label || f.name]));
    $("ticket-detail-fields").replaceChildren(...Object.entries(ticket.custom_fields || {})
      .map(([name, value]) => el("div", {}, el("dt", {}, labels.get(name) || name),
        el("dd", {}, typeof value === "boolean" ? words.t(value ? "yes" : "no")
          : value === null ? words.t("none") : String(value)))));
    const actions = ACTIONS[ticket.state] || [];
    const select = $("ticket-action");
    const chosen = select.value;
    select.replaceChildren(...actions.map((action) =>
      el("option", { value: action }, words.t(`action_${action}`))));
    if (!opened && actions.includes(chosen)) select.value = chosen;
    this.actionForm.hidden = actions.length === 0;
    $("ticket-action-none").hidden = actions.length !== 0;
    if (opened) {
      $("ticket-comment").value = "";
      $("ticket-action-error").hidden = true;
    }
    this.drawDispatch();
    this.drawEvents();
  }

  drawDispatch() {
    const dispatching = document.getElementById("ticket-action").value === "dispatch";
    document.getElementById("ticket-dispatch-kind-label").hidden = !dispatching;
    document.getElementById("ticket-dispatch-target-label").hidden = !dispatching;
  }

  drawEvents() {
    const { words } = this;
    const list = document.getElementById("ticket-events");
    list.replaceChildren(...(this.events || []).map((event) => el("li", {},
      words.t("event_line", { at: this.when(event.at), user: event.username,
        action: words.t(`action_${event.action}`) }),
      ` → ${words.t(`ticket_${event.to_state}`)}`,
      event.assignee || event.team ? ` (${[event.assignee, event.team].filter(Boolean).join(", ")})` : "",
      event.comment ? el("span", { className: "comment" }, ` “${event.comment}”`) : null)));
  }

  async act() {
    const ticket = this.open;
    if (!ticket) return;
    const $ = (id) => document.getElementById(id);
    const error = $("ticket-action-error");
    const action = $("ticket-action").value;
    const body = { action, comment: $("ticket-comment").value.trim() };
    if (action === "dispatch") {
      const target = $("ticket-dispatch-target").value.trim();
      if (!target) {
        error.textContent = this.words.t("dispatch_needs_target");
        error.hidden = false;
        $("ticket-dispatch-target").focus();
        return;
      }
      body[$("ticket-dispatch-kind").value] = target;
    }
    const button = $("ticket-act");
    button.disabled = true;
    try {
      const response = await fetch(`/api/tickets/${ticket.id}/actions`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) {
        error.textContent = await apiError(response);
        error.hidden = false;
        return;
      }
      error.hidden = true;
      $("ticket-comment").value = "";
      $("ticket-dispatch-target").value = "";
      this.show(await response.json(), null);
      this.loadEvents(ticket.id);
      if (this.call) this.loadCallerTickets();
      this.loadMine();
    } finally {
      button.disabled = false;
    }
  }

  redraw() {
    this.drawTypes();
    this.drawLink();
    this.drawCallerTickets();
    this.drawMine();
    if (this.open) this.drawDetail();
  }
}
