// The fields of the administration forms. Each field makes its labelled control(s) from a
// spec ({name, type, label, ...}, see admin_sections.js), shows a record's value (`set`),
// reads the value to send (`get`; undefined leaves the field out of the request) and finds
// the control that an error path inside it points at (`target(["mon", 0])`), so that the
// API's errors appear beside what they are about.

import { el } from "./i18n.js";

let serial = 0;

const PERIODS = String.raw`\s*\d\d:\d\d-\d\d:\d\d(\s*,\s*\d\d:\d\d-\d\d:\d\d)*\s*`;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function text(words, key) {
  return el("span", { dataset: { i18n: key } }, words.t(key));
}

function input(properties) {
  return el("input", { autocomplete: "off", ...properties });
}

// What every field has: a label for its first control, a hint, a slot for its error.
class Field {
  constructor(spec, words, context) {
    this.spec = spec;
    this.words = words;
    this.context = context;
    this.id = `field-${spec.name.replace(/\W/g, "-")}-${++serial}`;
    this.error = el("p", { className: "field-error", id: `${this.id}-error` });
    this.error.hidden = true;
    this.control = this.make();
    const hint = spec.hint
      ? el("p", { className: "hint", id: `${this.id}-hint`, dataset: { i18n: spec.hint } },
        words.t(spec.hint))
      : null;
    this.root = el("div", { className: `field field-${spec.type}`, dataset: { field: spec.name } },
      this.heading(), this.control, hint, this.error);
    for (const control of this.controls()) {
      control.setAttribute("aria-describedby",
        [hint ? hint.id : "", this.error.id].filter(Boolean).join(" "));
    }
  }

  heading() {
    const words = this.words;
    return el("label", { htmlFor: this.id, className: "field-label" },
      text(words, this.spec.label), this.spec.required ? el("span", { className: "required", ariaHidden: "true" }, " *") : null);
  }

  // The form controls of this field, in focus order.
  controls() {
    return [...this.root.querySelectorAll("input, select, textarea")];
  }

  target() {
    return this.controls().find((control) => !control.disabled) || this.controls()[0];
  }

  // A message from the browser's checks, or from the server, beside the field.
  showError(message, control = this.target()) {
    this.error.textContent = this.error.hidden ? message : `${this.error.textContent}; ${message}`;
    this.error.hidden = false;
    if (control) control.setAttribute("aria-invalid", "true");
  }

  clearError() {
    this.error.textContent = "";
    this.error.hidden = true;
    for (const control of this.controls()) control.removeAttribute("aria-invalid");
  }

  // The browser's own checks (required, pattern, min...), shown like the server's.
  checkInBrowser() {
    let fine = true;
    for (const control of this.controls()) {
      if (!control.disabled && !control.checkValidity()) {
        this.showError(control.validationMessage, control);
        fine = false;
      }
    }
    return fine;
  }

  lock(locked) {
    for (const control of this.controls()) control.disabled = locked || control.dataset.fixed === "true";
  }
}

class TextField extends Field {
  make() {
    const { spec } = this;
    const control = input({
      id: this.id, name: spec.name, type: spec.password ? "password" : "text",
      required: Boolean(spec.required), spellcheck: false,
    });
    if (spec.password) control.autocomplete = "new-password";
    if (spec.pattern) control.pattern = spec.pattern;
    if (spec.list) control.setAttribute("list", spec.list);
    if (spec.maxLength) control.maxLength = spec.maxLength;
    if (spec.minLength) control.minLength = spec.minLength;
    if (spec.placeholder) {
      control.dataset.i18nPlaceholder = spec.placeholder;
      control.placeholder = this.words.t(spec.placeholder);
    }
    return control;
  }

  set(value) {
    this.control.value = value ?? "";
  }

  get() {
    const value = this.spec.password ? this.control.value : this.control.value.trim();
    return value === "" && this.spec.blank === "omit" ? undefined : value;
  }
}

class NumberField extends Field {
  make() {
    const { spec } = this;
    const control = input({
      id: this.id, name: spec.name, type: "number", step: spec.step ?? "any",
      required: Boolean(spec.required), inputMode: "decimal",
    });
    if (spec.min !== undefined) control.min = String(spec.min);
    if (spec.max !== undefined) control.max = String(spec.max);
    if (spec.placeholder) {
      control.dataset.i18nPlaceholder = spec.placeholder;
      control.placeholder = this.words.t(spec.placeholder);
    }
    return control;
  }

  set(value) {
    this.control.value = value === null || value === undefined ? "" : String(this.shown(value));
  }

  get() {
    if (this.control.value.trim() === "") return this.spec.required ? undefined : null;
    return this.sent(Number(this.control.value));
  }

  shown(value) {
    return value;
  }

  sent(value) {
    return value;
  }
}

// A fraction (0.8) shown and typed as a percentage (80).
class PercentField extends NumberField {
  shown(value) {
    return Math.round(value * 10000) / 100;
  }

  sent(value) {
    return value / 100;
  }
}

class SelectField extends Field {
  make() {
    const control = el("select", { id: this.id, name: this.spec.name, required: Boolean(this.spec.required) });
    if (this.spec.none) control.append(this.option("", this.spec.none, true));
    for (const [value, label] of this.choices()) control.append(this.option(value, label, Boolean(label)));
    return control;
  }

  choices() {
    if (this.spec.options) return this.spec.options;
    return (this.context.lists[this.spec.source] || []).map((name) => [name, null]);
  }

  option(value, label, translated) {
    if (!translated) return el("option", { value }, label || value);
    return el("option", { value, dataset: { i18n: label } }, this.words.t(label));
  }

  set(value) {
    const wanted = value === null || value === undefined ? "" : String(value);
    if (![...this.control.options].some((option) => option.value === wanted)) {
      this.control.append(this.option(wanted, wanted, false));  // keep a value the list lacks
    }
    this.control.value = wanted;
  }

  get() {
    return this.control.value === "" ? null : this.control.value;
  }
}

class CheckboxField extends Field {
  heading() {
    return null;
  }

  make() {
    const box = input({ id: this.id, name: this.spec.name, type: "checkbox" });
    return el("label", { className: "check" }, box, " ", text(this.words, this.spec.label));
  }

  set(value) {
    this.controls()[0].checked = Boolean(value);
  }

  get() {
    return this.controls()[0].checked;
  }
}

// Skill levels: every skill of the tenant, ticked with a level from 1 to 10.
class LevelsField extends Field {
  heading() {
    return el("span", { className: "field-label", id: `${this.id}-label` }, text(this.words, this.spec.label));
  }

  make() {
    const rows = el("div", { className: "levels", role: "group" });
    rows.setAttribute("aria-labelledby", `${this.id}-label`);
    this.rows = new Map();
    for (const skill of this.context.lists.skills || []) this.addRow(rows, skill);
    if (this.rows.size === 0) rows.append(text(this.words, "no_skills"));
    return rows;
  }

  addRow(container, skill) {
    const id = `${this.id}-${skill.replace(/\W/g, "-")}`;
    const box = input({ type: "checkbox", id, name: `skill-${skill}`, value: skill });
    const level = input({
      type: "number", name: `level-${skill}`, min: "1", max: "10", step: "1", required: true,
      inputMode: "numeric", value: "1",
    });
    level.setAttribute("aria-label", `${this.words.t("level")} ${skill}`);
    level.disabled = true;
    box.addEventListener("change", () => {
      level.disabled = !box.checked;
    });
    container.append(el("div", { className: "level-row" },
      el("label", { className: "check", htmlFor: id }, box, ` ${skill}`), level));
    this.rows.set(skill, { box, level });
  }

  set(value) {
    for (const [skill, level] of Object.entries(value || {})) {
      if (!this.rows.has(skill)) this.addRow(this.control, skill);
      const row = this.rows.get(skill);
      row.box.checked = true;
      row.level.disabled = false;
      row.level.value = String(level);
    }
  }

  get() {
    const levels = {};
    for (const [skill, row] of this.rows) if (row.box.checked) levels[skill] = Number(row.level.value);
    return levels;
  }

  target([skill] = []) {
    const row = this.rows.get(String(skill));
    return row ? (row.box.checked ? row.level : row.box) : super.target();
  }

  lock(locked) {
    for (const row of this.rows.values()) {
      row.box.disabled = locked;
      row.level.disabled = locked || !row.box.checked;
    }
  }
}

// Opening periods per weekday, "08:00-12:00, 13:00-20:00"; blank: closed. Or round the clock.
class HoursField extends Field {
  heading() {
    return el("span", { className: "field-label", id: `${this.id}-label` }, text(this.words, this.spec.label));
  }

  make() {
    const words = this.words;
    this.always = input({ type: "checkbox", id: `${this.id}-always` });
    this.days = new Map();
    const grid = el("div", { className: "hours", role: "group" });
    grid.setAttribute("aria-labelledby", `${this.id}-label`);
    grid.append(el("label", { className: "check hours-always" }, this.always, " ", text(words, "round_the_clock")));
    for (const day of WEEKDAYS) {
      const id = `${this.id}-${day}`;
      const periods = input({ id, name: `hours-${day}`, type: "text", pattern: PERIODS, spellcheck: false });
      periods.dataset.i18nPlaceholder = "closed";
      periods.placeholder = words.t("closed");
      grid.append(el("label", { htmlFor: id, className: "day", dataset: { i18n: `day_${day}` } }, words.t(`day_${day}`)), periods);
      this.days.set(day, periods);
    }
    this.always.addEventListener("change", () => this.lock(false));
    return grid;
  }

  set(value) {
    this.always.checked = value === null || value === undefined;
    for (const [day, periods] of this.days) periods.value = ((value || {})[day] || []).join(", ");
    this.lock(false);
  }

  get() {
    if (this.always.checked) return null;
    const week = {};
    for (const [day, periods] of this.days) {
      const list = periods.value.split(",").map((period) => period.trim()).filter(Boolean);
      if (list.length) week[day] = list;
    }
    return week;
  }

  target([day] = []) {
    return this.days.get(day) || this.always;
  }

  lock(locked) {
    this.always.disabled = locked;
    for (const periods of this.days.values()) periods.disabled = locked || this.always.checked;
  }
}

// Dates, one a line (YYYY-MM-DD).
class DatesField extends Field {
  make() {
    const area = el("textarea", { id: this.id, name: this.spec.name, rows: 4, spellcheck: false });
    area.dataset.i18nPlaceholder = "dates_placeholder";
    area.placeholder = this.words.t("dates_placeholder");
    area.addEventListener("input", () => area.setCustomValidity(""));
    return area;
  }

  dates() {
    return this.control.value.split(/[\s,]+/).filter(Boolean);
  }

  set(value) {
    this.control.value = (value || []).join("\n");
  }

  get() {
    return this.dates();
  }

  checkInBrowser() {
    const bad = this.dates().filter((day) => !DATE.test(day) || Number.isNaN(Date.parse(day)));
    this.control.setCustomValidity(bad.length ? this.words.t("bad_dates", { dates: bad.join(", ") }) : "");
    return super.checkInBrowser();
  }
}

const TYPES = {
  text: TextField,
  number: NumberField,
  percent: PercentField,
  select: SelectField,
  checkbox: CheckboxField,
  levels: LevelsField,
  hours: HoursField,
  dates: DatesField,
};

// The field for `spec`; `context.lists` holds the names that selects and levels offer.
export function makeField(spec, words, context) {
  return new TYPES[spec.type](spec, words, context);
}
