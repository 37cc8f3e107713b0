"""`/api/kb`: the knowledge base (C3) — articles to read and search during a call.

Everyone signed in searches and reads the articles their role may see (`visible_to`); an
article hidden from a role does not exist for it: it is left out of searches and category
counts, and asking for it by id is a 404, as for supervisors changing it. Supervisors and
admins write articles; every change goes to the audit log.

`GET /api/kb/articles?q=` finds the articles holding any word of `q`, in Chinese or English
(`hotline.crm.text_search` says how words are cut), most relevant first, a word in the title
counting more than one in the body; each result carries a snippet of the body around the first
word found. Without `q` (or with one that holds no word, only punctuation) the list is the
newest articles first, and `score` is null.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.auth import AnyUser, Staff
from hotline.api.resources import RecordId, commit_audited, not_found
from hotline.api.session import DbSession
from hotline.store import kb
from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import Language, Role, utc_now
from hotline.store.accounts import Principal
from hotline.store.kb_tables import BODY, CATEGORY, MAX_TAGS, TAG, TITLE, KbArticleRow

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])

MAX_PAGE = 100
MAX_QUERY = 200

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                         max_length=TITLE, pattern=_NO_CONTROL)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=BODY, pattern=r"^[^\x00]*$")]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=CATEGORY, pattern=_NO_CONTROL)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TAG,
                                       pattern=_NO_CONTROL)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS, examples=[["emergency", "泄漏"]])]
VisibleTo = Annotated[list[Role], Field(
    min_length=1, max_length=len(Role),
    description="The roles that may read the article (at least one).")]


class ArticleCreate(BaseModel):
    """A new article."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(examples=["燃气泄漏应急处理步骤"])
    body: Body = Field(examples=["立即关闭燃气表前阀门，打开门窗通风……"])
    category: Category = Field(examples=["safety"])
    tags: Tags = Field(default_factory=list)
    language: Language = Field(examples=["zh"])
    visible_to: VisibleTo = Field(default_factory=lambda: list(Role))


class ArticleUpdate(BaseModel):
    """A change to an article: the fields given (none of them null)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    category: Category | None = None
    tags: Tags | None = None
    language: Language | None = None
    visible_to: VisibleTo | None = None


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    category: str
    tags: list[str]
    language: Language
    visible_to: list[Role]
    created_by: str
    updated_by: str
    created_at: UtcTime
    updated_at: UtcTime


class ArticleSummary(BaseModel):
    """An article in a list of results."""

    id: int
    title: str
    category: str
    tags: list[str]
    language: Language
    snippet: str = Field(description="Up to 200 characters of the body, around the first "
                                     "word of the query found, or from its start.")
    score: float | None = Field(description="Relevance to `q` (higher is better; comparable "
                                            "only within one result list); null without `q`.")
    updated_at: UtcTime


class ArticlePage(BaseModel):
    total: int = Field(description="How many articles match in all.")
    limit: int
    offset: int
    items: list[ArticleSummary]


class CategoryCount(BaseModel):
    name: str
    count: int = Field(description="How many articles of the category the caller may see.")


@router.get("/articles")
def search_articles(
    principal: AnyUser,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=MAX_QUERY,
                                   description="Words to look for, in any language.")] = None,
    category: Annotated[str | None, Query(max_length=CATEGORY)] = None,
    tag: Annotated[str | None, Query(max_length=TAG)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> ArticlePage:
    """The articles the caller may see: with `q`, those holding any of its words, most
    relevant first; without, the newest first. `category` and `tag` narrow the list."""
    hits, total = kb.search(session, principal.tenant_id, principal.role, q, category, tag,
                            limit, offset)
    items = [ArticleSummary(id=hit.article.id, title=hit.article.title,
                            category=hit.article.category, tags=hit.article.tags,
                            language=Language(hit.article.language), snippet=hit.snippet,
                            score=hit.score, updated_at=hit.article.updated_at)
             for hit in hits]
    return ArticlePage(total=total, limit=limit, offset=offset, items=items)


@router.get("/categories")
def list_categories(principal: AnyUser, session: DbSession) -> list[CategoryCount]:
    """The categories of the articles the caller may see, by name, with their counts."""
    return [CategoryCount(name=name, count=count)
            for name, count in kb.categories(session, principal.tenant_id, principal.role)]


@router.post("/articles", status_code=status.HTTP_201_CREATED)
def create_article(body: ArticleCreate, principal: Staff, session: DbSession) -> ArticleRead:
    """Write a new article."""
    row = kb.create_article(session, principal.tenant_id, principal.username,
                            body.model_dump(), utc_now())
    after = ArticleRead.model_validate(row)
    commit_audited(session, principal, "create", "kb_article", row.id, None, after)
    return after


@router.get("/articles/{article_id}")
def get_article(article_id: RecordId, principal: AnyUser, session: DbSession) -> ArticleRead:
    """One article."""
    return ArticleRead.model_validate(_row(session, principal, article_id))


@router.patch("/articles/{article_id}")
def update_article(article_id: RecordId, body: ArticleUpdate, principal: Staff,
                   session: DbSession) -> ArticleRead:
    """Change the fields given; the search index follows."""
    changes = body.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"{', '.join(nulls)} cannot be null: leave a field out to keep it")
    row = _row(session, principal, article_id)
    before = ArticleRead.model_validate(row)
    kb.update_article(session, row, principal.username, changes, utc_now())
    after = ArticleRead.model_validate(row)
    commit_audited(session, principal, "update", "kb_article", row.id, before, after)
    return after


@router.delete("/articles/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_article(article_id: RecordId, principal: Staff, session: DbSession) -> Response:
    """Remove an article."""
    row = _row(session, principal, article_id)
    before = ArticleRead.model_validate(row)
    kb.delete_article(session, row)
    commit_audited(session, principal, "delete", "kb_article", article_id, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _row(session: DbSession, principal: Principal, article_id: int) -> KbArticleRow:
    row = kb.article_in(session, principal.tenant_id, article_id, principal.role)
    if row is None:
        raise not_found("knowledge-base article", article_id)
    return row
