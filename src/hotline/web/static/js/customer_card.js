// The customer card of the screen pop (D3): who is calling, from the CTI offer's `customer`
// (or, when the server does not say, `GET /api/customers/lookup?phone=`), with their contact
// details, tier and recent interactions; a blank form, prefilled with the caller's number,
// for a caller nobody knows yet (`POST /api/customers`); and editing (`PATCH`). Agents may
// not set the tier or read notes, so the form has neither.

import { apiError, el } from "./i18n.js";

export const CUSTOMER_WORDS = {
  en: {
    customer_heading: "Customer", tier_vip: "VIP", edit_customer: "Edit",
    customer_name: "Name", customer_phones: "Phones", customer_emails: "E-mails",
    customer_accounts: "Account numbers", customer_address: "Address", customer_tags: "Tags",
    customer_open_tickets: "Open tickets", customer_no_tickets: "No open tickets.",
    customer_history: "Recent interactions with this customer",
    customer_no_history: "No earlier interactions.",
    customer_new_note: "New caller: type their name and save.",
    customer_unknown: "Nobody on file has this number.",
    customer_looking: "Looking the caller up…",
    customer_no_number: "The caller's number is withheld.",
    customer_name_needed: "Type the customer's name.",
    list_hint: "Separate several with ;",
    save_customer: "Save customer", saving: "Saving…", cancel: "Cancel",
    customer_on_file: "This number is on file already: here is its customer.",
  },
  zh: {
    customer_heading: "客户", tier_vip: "VIP", edit_customer: "修改",
    customer_name: "姓名", customer_phones: "电话", customer_emails: "电子邮箱",
    customer_accounts: "户号", customer_address: "地址", customer_tags: "标签",
    customer_open_tickets: "未完结工单", customer_no_tickets: "没有未完结的工单。",
    customer_history: "该客户最近的接触记录",
    customer_no_history: "没有历史记录。",
    customer_new_note: "新来电客户：填写姓名后保存。",
    customer_unknown: "客户资料中没有这个号码。",
    customer_looking: "正在查找来电客户…",
    customer_no_number: "来电号码未显示。",
    customer_name_needed: "请填写客户姓名。",
    list_hint: "多个请用 ; 分隔",
    save_customer: "保存客户", saving: "正在保存…", cancel: "取消",
    customer_on_file: "该号码已有客户资料，已为您显示。",
  },
};

const LISTS = ["phones", "emails", "accounts", "tags"];

// "a; b, c" -> ["a", "b", "c"] (Chinese punctuation too).
function splitList(text) {
  return text.split(/[;,；，\n]/).map((item) => item.trim()).filter(Boolean);
}

export class CustomerCard {
  // onCustomer(customer | null) runs whenever the caller's customer is known or changes.
  constructor({ words, onError, onCustomer, when }) {
    this.words = words;
    this.onError = onError;
    this.onCustomer = onCustomer;
    this.when = when;
    this.customer = null;  // the full record, or null
    this.ani = "";
    this.interaction = null;  // the call being shown
    this.serial = 0;       // the offer being shown: answers to older ones are dropped
    this.editing = false;
    const $ = (id) => document.getElementById(id);
    this.card = $("customer-card");
    this.form = $("customer-form");
    this.status = $("customer-status");
    this.formError = $("customer-form-error");
    $("customer-edit").addEventListener("click", () => this.edit());
    $("customer-cancel").addEventListener("click", () => this.cancel());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    words.onChange(() => {
      this.draw();
      if (this.customer) this.loadHistory(this.serial);
    });
  }

  // A new call: `offer.customer` is {id, name, tier}, null (nobody had the number when the
  // call arrived) or absent (a server that does not match callers: look them up).
  async show(offer) {
    const serial = ++this.serial;
    this.ani = offer.ani || "";
    this.interaction = offer.interaction;
    this.customer = null;
    this.editing = false;
    if (offer.customer) {
      this.customer = { phones: [], emails: [], accounts: [], tags: [], address: "",
        ...offer.customer };
      this.draw();
      const full = await this.fetch(`/api/customers/${encodeURIComponent(offer.customer.id)}`);
      if (serial !== this.serial) return;
      if (full) this.customer = full;
    } else if (offer.customer === undefined && this.ani) {
      this.setStatus("customer_looking");
      const response = await fetch(`/api/customers/lookup?phone=${encodeURIComponent(this.ani)}`);
      if (serial !== this.serial) return;
      if (response.ok) this.customer = await response.json();
      else if (response.status !== 404) this.onError(await apiError(response));
    }
    if (!this.customer) this.blankForm();
    this.draw();
    this.onCustomer(this.customer);
    if (this.customer) this.loadHistory(serial);
  }

  // A new customer: the caller's number, the rest for the agent to fill in.
  blankForm() {
    this.fillForm({ name: "", phones: this.ani ? [this.ani] : [] });
  }

  async fetch(url) {
    const response = await fetch(url);
    if (response.ok) return response.json();
    this.onError(await apiError(response));
    return null;
  }

  setStatus(key) {
    this.status.dataset.i18n = key;
    this.status.textContent = key ? this.words.t(key) : "";
  }

  draw() {
    const { customer, words } = this;
    const $ = (id) => document.getElementById(id);
    const known = customer !== null;
    const formShown = this.editing || (!known && Boolean(this.ani));
    this.card.dataset.mode = formShown ? (known ? "edit" : "new") : (known ? "known" : "none");
    $("customer-view").hidden = !known || this.editing;
    this.form.hidden = !formShown;
    $("customer-new-note").hidden = known;
    $("customer-edit").hidden = !known || this.editing;
    $("customer-vip").hidden = !known || customer.tier !== "vip";
    if (!known) {
      this.setStatus(this.ani ? "customer_unknown" : "customer_no_number");
      return;
    }
    this.setStatus("");
    $("customer-name").textContent = customer.name;
    const list = (values) => (values && values.length ? values.join(", ") : words.t("none"));
    $("customer-phones").textContent = list(customer.phones);
    $("customer-emails").textContent = list(customer.emails);
    $("customer-accounts").textContent = list(customer.accounts);
    $("customer-address").textContent = customer.address || words.t("none");
    const tags = $("customer-tags");
    tags.replaceChildren(...(customer.tags || []).map((tag) => el("span", { className: "tag" }, tag)));
    if (!tags.childElementCount) tags.textContent = words.t("none");
  }

  fillForm(values) {
    const form = this.form;
    form.elements.name.value = values.name || "";
    for (const name of LISTS) form.elements[name].value = (values[name] || []).join("; ");
    form.elements.address.value = values.address || "";
    this.formError.hidden = true;
  }

  edit() {
    if (!this.customer) return;
    this.editing = true;
    this.fillForm(this.customer);
    this.draw();
    this.form.elements.name.focus();
  }

  cancel() {
    if (this.customer) {
      this.editing = false;
      this.draw();
    } else {
      this.blankForm();
    }
  }

  async save() {
    const form = this.form;
    const name = form.elements.name.value.trim();
    if (!name) {
      this.showFormError(this.words.t("customer_name_needed"));
      form.elements.name.focus();
      return;
    }
    const body = { name, address: form.elements.address.value.trim() };
    for (const list of LISTS) body[list] = splitList(form.elements[list].value);
    const existing = this.customer;
    const button = document.getElementById("customer-save");
    button.disabled = true;
    try {
      const response = await fetch(existing ? `/api/customers/${existing.id}` : "/api/customers", {
        method: existing ? "PATCH" : "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const error = await apiError(response);
        // Saved since the call arrived (by the colleague who transferred it): show them.
        if (response.status === 409 && !existing && await this.adoptSaved()) return;
        this.showFormError(error);
        return;
      }
      this.customer = await response.json();
      this.editing = false;
      this.draw();
      this.onCustomer(this.customer);
      if (!existing) this.loadHistory(this.serial);
    } finally {
      button.disabled = false;
    }
  }

  // The customer who has the caller's number now, if anyone: shown instead of the form.
  async adoptSaved() {
    if (!this.ani) return false;
    const response = await fetch(`/api/customers/lookup?phone=${encodeURIComponent(this.ani)}`);
    if (!response.ok) return false;
    this.customer = await response.json();
    this.editing = false;
    this.draw();
    this.setStatus("customer_on_file");
    this.onCustomer(this.customer);
    this.loadHistory(this.serial);
    return true;
  }

  showFormError(text) {
    this.formError.textContent = text;
    this.formError.hidden = false;
  }

  // The customer's last interactions (those the agent may see), across all their numbers.
  async loadHistory(serial) {
    const list = document.getElementById("customer-history");
    list.replaceChildren();
    const id = this.customer && this.customer.id;
    if (!id) return;
    const response = await fetch(`/api/interactions?customer_id=${encodeURIComponent(id)}&limit=6`);
    if (serial !== this.serial) return;
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    const items = (await response.json()).items
      .filter((item) => item.interaction_id !== this.interaction);  // not this call
    const { words } = this;
    list.replaceChildren(...items.slice(0, 5).map((item) => el("li", {},
      el("span", {}, this.when(item.arrived_at)), " · ", words.t(item.direction), " · ",
      item.agent || words.t("none"), " · ", item.result ? resultWord(words, item.result)
        : words.t("result_in_progress"))));
    if (items.length === 0) {
      list.append(el("li", { className: "muted" }, words.t("customer_no_history")));
    }
  }
}

function resultWord(words, result) {
  const word = words.t(`result_${result}`);
  return word === `result_${result}` ? result : word;
}
