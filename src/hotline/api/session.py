"""One database session per request, from the application's session factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def database_session(request: Request) -> Iterator[Session]:
    """A session for this request; what the endpoint did not commit is rolled back."""
    with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(database_session)]
