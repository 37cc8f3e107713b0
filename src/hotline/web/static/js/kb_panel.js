// The knowledge-base panel of the agent desktop (D6): search while talking (the query goes
// out once the agent pauses typing), titles with snippets, and an article's body on a click.
// Articles are shown as text, never as HTML: whatever their authors typed stays inert.

import { apiError, el } from "./i18n.js";

export const KB_WORDS = {
  en: {
    kb_heading: "Knowledge base", kb_search: "Search the knowledge base",
    kb_hint: "Type a few words: results appear as you type.",
    kb_searching: "Searching…", kb_none: "No articles match “{query}”.",
    kb_count: "{total} articles", kb_count_one: "1 article",
    kb_meta: "{category} · updated {updated}", kb_no_category: "No category",
  },
  zh: {
    kb_heading: "知识库", kb_search: "搜索知识库",
    kb_hint: "输入关键词，边输入边搜索。",
    kb_searching: "正在搜索…", kb_none: "没有与“{query}”匹配的文章。",
    kb_count: "共 {total} 篇", kb_count_one: "共 1 篇",
    kb_meta: "{category} · 更新于 {updated}", kb_no_category: "未分类",
  },
};

const PAUSE_MS = 300;
const LIMIT = 10;

export class KbPanel {
  constructor({ words, onError, when }) {
    this.words = words;
    this.onError = onError;
    this.when = when;
    this.timer = null;
    this.serial = 0;
    this.page = null;     // the last answer to a search
    this.query = "";
    this.article = null;  // the article shown
    const $ = (id) => document.getElementById(id);
    this.input = $("kb-query");
    this.input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), PAUSE_MS);
    });
    $("kb-form").addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(this.timer);
      this.search();
    });
    words.onChange(() => this.draw());
    this.draw();
  }

  async search() {
    const query = this.input.value.trim();
    const serial = ++this.serial;
    this.query = query;
    if (!query) {
      this.page = null;
      this.draw();
      return;
    }
    this.setStatus(this.words.t("kb_searching"));
    const params = new URLSearchParams({ q: query, limit: LIMIT });
    const response = await fetch(`/api/kb/articles?${params}`);
    if (serial !== this.serial) return;  // a newer search is on its way
    if (!response.ok) {
      this.setStatus("");
      this.onError(await apiError(response));
      return;
    }
    this.page = await response.json();
    this.draw();
  }

  setStatus(text) {
    document.getElementById("kb-status").textContent = text;
  }

  draw() {
    const { words, page } = this;
    const list = document.getElementById("kb-results");
    if (!page) {
      this.setStatus(words.t("kb_hint"));
      list.replaceChildren();
    } else {
      this.setStatus(page.items.length === 0 ? words.t("kb_none", { query: this.query })
        : page.total === 1 ? words.t("kb_count_one") : words.t("kb_count", { total: page.total }));
      list.replaceChildren(...page.items.map((item) => {
        const button = el("button", { type: "button", className: "kb-open" },
          el("span", { className: "kb-title" }, item.title),
          el("span", { className: "kb-snippet" }, item.snippet || ""));
        button.addEventListener("click", () => this.open(item.id));
        const chosen = this.article && this.article.id === item.id;
        return el("li", { className: chosen ? "kb-result chosen" : "kb-result",
          dataset: { article: item.id } }, button);
      }));
    }
    this.drawArticle();
  }

  async open(id) {
    const response = await fetch(`/api/kb/articles/${encodeURIComponent(id)}`);
    if (!response.ok) {
      this.onError(await apiError(response));
      return;
    }
    this.article = await response.json();
    this.draw();
  }

  drawArticle() {
    const { article, words } = this;
    const $ = (id) => document.getElementById(id);
    $("kb-article").hidden = !article;
    if (!article) return;
    $("kb-article").dataset.article = article.id;
    $("kb-article-title").textContent = article.title;
    $("kb-article-meta").textContent = words.t("kb_meta", {
      category: article.category || words.t("kb_no_category"),
      updated: this.when(article.updated_at) });
    $("kb-article-body").textContent = article.body;
  }
}
