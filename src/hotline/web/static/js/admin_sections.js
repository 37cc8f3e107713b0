// What each administration page lists and edits: its REST resource, the field that names a
// record, the table's columns and the form's fields. The fields mirror the API's schemas
// (src/hotline/store/config_schemas.py, account_schemas.py); the browser checks what is
// cheap to check (required, patterns, ranges) and the server judges the rest.

const NAME = String.raw`[A-Za-z0-9][A-Za-z0-9_.\-]*`;
const NUMBER = String.raw`\+?[0-9]+`;
const USERNAME = String.raw`[A-Za-z0-9][A-Za-z0-9_.@\-]*`;

const name = (label, extra = {}) => ({
  name: "name", type: "text", label, required: true, pattern: NAME, maxLength: 64, ...extra,
});

const levels = (value) => Object.entries(value || {}).map(([skill, level]) => `${skill} ${level}`).join(", ");
const seconds = (words) => (value) => (value === null || value === undefined ? words.t("none") : `${value}\u00a0s`);
const word = (words, prefix) => (value) => (value === null || value === undefined || value === ""
  ? words.t("none") : words.t(`${prefix}${value}`));
const plain = (words) => (value) => (value === null || value === undefined || value === ""
  ? words.t("none") : String(value));

// The pages, by the key of their path (/admin/<key>). `key` is what the API's path names a
// record by and `keyField` the form field that names it, when not the same (users have ids);
// `entity` is the label the API's messages use ("queue 'repair' skills.repair: ..."),
// `sources` the lists its selects need; `show` and `finish` adapt a record to the form and
// the form's values to the API.
export function sections(words) {
  const none = plain(words);
  return {
    users: {
      api: "/api/users", key: "id", keyField: "username", entity: "user", sources: ["agents"],
      columns: [
        ["username", "f_username"], ["display_name", "f_display_name", none],
        ["role", "f_role", word(words, "role_")], ["agent_id", "f_agent_id", none],
        ["language", "f_language", word(words, "lang_")],
        ["disabled", "f_disabled", (value) => words.t(value ? "yes" : "no")],
      ],
      fields: [
        { name: "username", type: "text", label: "f_username", required: true, pattern: USERNAME, maxLength: 64, fixedOnEdit: true },
        { name: "display_name", type: "text", label: "f_display_name", maxLength: 128 },
        { name: "role", type: "select", label: "f_role", required: true, default: "agent",
          options: [["agent", "role_agent"], ["supervisor", "role_supervisor"], ["admin", "role_admin"]] },
        { name: "agent_id", type: "select", label: "f_agent_id", source: "agents", none: "no_agent", hint: "h_agent_id" },
        { name: "language", type: "select", label: "f_language", default: "en",
          options: [["en", "lang_en"], ["zh", "lang_zh"]] },
        { name: "password", type: "text", password: true, label: "f_password", minLength: 8, maxLength: 256,
          requiredOnCreate: true, blank: "omit", hint: "h_password" },
        { name: "disabled", type: "checkbox", label: "f_disabled", onlyOnEdit: true, hint: "h_disabled" },
      ],
    },
    agents: {
      api: "/api/agents", key: "id", entity: "agent", sources: ["teams", "skills"],
      columns: [
        ["id", "f_agent_id"], ["name", "f_full_name", none], ["type", "f_type", word(words, "type_")],
        ["team", "f_team", none], ["skills", "f_skills", levels], ["wrap_up", "f_wrap_up", seconds(words)],
      ],
      fields: [
        { name: "id", type: "text", label: "f_agent_id", required: true, pattern: NAME, maxLength: 32, hint: "h_agent_key" },
        { name: "name", type: "text", label: "f_full_name", maxLength: 128 },
        { name: "type", type: "select", label: "f_type", default: "standard",
          options: [["standard", "type_standard"], ["expert", "type_expert"], ["supervisor", "type_supervisor"]] },
        { name: "team", type: "select", label: "f_team", source: "teams", none: "no_team" },
        { name: "skills", type: "levels", label: "f_skills", default: {} },
        { name: "wrap_up", type: "number", label: "f_wrap_up", min: 0, default: 0, placeholder: "p_wrap_up", hint: "h_wrap_up" },
      ],
    },
    teams: {
      api: "/api/teams", key: "name", entity: "team", sources: ["agents"],
      columns: [["name", "f_name"], ["supervisor", "f_supervisor", none]],
      fields: [
        name("f_name"),
        { name: "supervisor", type: "select", label: "f_supervisor", source: "agents", none: "no_supervisor" },
      ],
    },
    announcements: {
      api: "/api/announcements", key: "id", entity: "announcement",
      columns: [["title", "f_title"], ["body", "f_body", none], ["created_by", "f_created_by"]],
      fields: [
        { name: "title", type: "text", label: "f_title", required: true, maxLength: 200 },
        { name: "body", type: "text", label: "f_body", maxLength: 4000 },
      ],
    },
    skills: {
      api: "/api/skills", key: "name", entity: "skill",
      columns: [["name", "f_name"], ["description", "f_description", none]],
      fields: [
        name("f_name", { hint: "h_name" }),
        { name: "description", type: "text", label: "f_description", maxLength: 256 },
      ],
    },
    queues: {
      api: "/api/queues", key: "name", entity: "queue", sources: ["skills", "queues"],
      columns: [
        ["name", "f_name"], ["skills", "f_required_skills", levels], ["priority", "f_priority"],
        ["strategy", "f_strategy", word(words, "strategy_")],
        ["service_level", "f_service_level", (goal) => words.t("goal", {
          target: Math.round(goal.target * 100), threshold: goal.threshold })],
        ["overflow", "f_overflow", (overflow) => (overflow
          ? words.t("overflow_to", { after: overflow.after, to: overflow.to }) : words.t("none"))],
        ["ring_timeout", "f_ring_timeout", seconds(words)],
      ],
      fields: [
        name("f_name", { hint: "h_name" }),
        { name: "skills", type: "levels", label: "f_required_skills", default: {}, hint: "h_required_skills" },
        { name: "priority", type: "number", label: "f_priority", required: true, min: 0, max: 100, step: 1, default: 0, hint: "h_priority" },
        { name: "strategy", type: "select", label: "f_strategy", default: "fewest_calls_then_longest_since_hangup",
          options: ["fewest_calls_then_longest_since_hangup", "longest_idle", "fewest_calls",
            "highest_skill", "round_robin", "random"].map((key) => [key, `strategy_${key}`]) },
        { name: "service_level.target", type: "percent", label: "f_sl_target", required: true, min: 0, max: 100, default: 0.8 },
        { name: "service_level.threshold", type: "number", label: "f_sl_threshold", required: true, min: 0, default: 20 },
        { name: "ring_timeout", type: "number", label: "f_ring_timeout", required: true, min: 0, default: 20, hint: "h_ring_timeout" },
        { name: "max_wait", type: "number", label: "f_max_wait", min: 0, default: null, placeholder: "p_no_limit" },
        { name: "overflow.to", type: "select", label: "f_overflow_to", source: "queues", none: "no_overflow" },
        { name: "overflow.after", type: "number", label: "f_overflow_after", min: 0, default: null },
      ],
      // No queue to overflow to: no overflow at all.
      finish: (body) => ({ ...body, overflow: body.overflow && body.overflow.to ? body.overflow : null }),
      show: (record) => ({ ...record, overflow: record.overflow || { to: null, after: null } }),
    },
    "dnis-routes": {
      api: "/api/dnis_routes", key: "dnis", entity: "DNIS route", sources: ["queues", "flows"],
      columns: [["dnis", "f_dnis"], ["queue", "f_queue"], ["flow", "f_flow", (value) => value || words.t("tenant_default_flow")]],
      fields: [
        { name: "dnis", type: "text", label: "f_dnis", required: true, pattern: NUMBER, maxLength: 32, hint: "h_dnis" },
        { name: "queue", type: "select", label: "f_queue", source: "queues", required: true, hint: "h_route_queue" },
        { name: "flow", type: "select", label: "f_flow", source: "flows", none: "tenant_default_flow", hint: "h_flow" },
      ],
    },
    settings: {
      api: "/api/tenant", single: true, entity: "tenant", sources: ["queues", "flows"],
      fields: [
        { name: "timezone", type: "text", label: "f_timezone", required: true, list: "time-zones", hint: "h_timezone" },
        { name: "business_hours", type: "hours", label: "f_business_hours", hint: "h_business_hours" },
        { name: "holidays", type: "dates", label: "f_holidays", hint: "h_holidays" },
        { name: "default_queue", type: "select", label: "f_default_queue", source: "queues", none: "none_option", hint: "h_default_queue" },
        { name: "after_hours_queue", type: "select", label: "f_after_hours_queue", source: "queues", none: "closed_reject", hint: "h_after_hours_queue" },
        { name: "default_flow", type: "select", label: "f_default_flow", source: "flows", none: "no_flow", hint: "h_default_flow" },
        { name: "vip_priority", type: "number", label: "f_vip_priority", required: true, min: 0, max: 100, step: 1, hint: "h_vip_priority" },
        { name: "sticky_wait", type: "number", label: "f_sticky_wait", min: 0, placeholder: "p_no_sticky", hint: "h_sticky_wait" },
        { name: "sticky_memory", type: "number", label: "f_sticky_memory", required: true, min: 0, hint: "h_sticky_memory" },
      ],
    },
    "not-ready-reasons": {
      api: "/api/not_ready_reasons", key: "code", entity: "not-ready reason",
      columns: [["code", "f_code"], ["label", "f_label"]],
      fields: [
        { name: "code", type: "text", label: "f_code", required: true, pattern: NAME, maxLength: 64, hint: "h_code" },
        { name: "label", type: "text", label: "f_label", required: true, maxLength: 128 },
      ],
    },
    "caller-lists": {
      api: "/api/caller_lists", key: "number", entity: "caller list entry",
      columns: [["number", "f_number"], ["list", "f_list", word(words, "list_")], ["note", "f_note", none]],
      fields: [
        { name: "number", type: "text", label: "f_number", required: true, pattern: NUMBER, maxLength: 32 },
        { name: "list", type: "select", label: "f_list", required: true, default: "blacklist",
          options: [["blacklist", "list_blacklist"], ["vip", "list_vip"]], hint: "h_list" },
        { name: "note", type: "text", label: "f_note", maxLength: 256 },
      ],
    },
  };
}

// Where each page's selects get their names from.
export const SOURCES = {
  agents: { api: "/api/agents", names: (records) => records.map((record) => record.id) },
  teams: { api: "/api/teams", names: (records) => records.map((record) => record.name) },
  skills: { api: "/api/skills", names: (records) => records.map((record) => record.name) },
  queues: { api: "/api/queues", names: (records) => records.map((record) => record.name) },
  // Only published flows can be run by calls.
  flows: {
    api: "/api/ivr/flows",
    names: (records) => records.filter((flow) => flow.published_version !== null).map((flow) => flow.name),
  },
};
