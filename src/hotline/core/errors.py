"""Errors the interaction server raises for events that are not valid now. Each names what was
wrong; raising one means the server changed nothing.

The state machines' own errors, `IllegalAgentTransition` and `IllegalInteractionTransition`,
are `CoreError`s too; they live beside their tables (which import this module).
"""

from __future__ import annotations


class CoreError(ValueError):
    """An event the server refuses."""


class UnknownAgent(CoreError):
    """The event names an agent the tenant does not have."""


class UnknownInteraction(CoreError):
    """The event names an interaction that is not in progress."""


class NotOffered(CoreError):
    """An agent acted on an interaction that is not theirs."""


class InvalidTenant(CoreError):
    """The tenant configuration contradicts itself."""


__all__ = [
    "CoreError",
    "InvalidTenant",
    "NotOffered",
    "UnknownAgent",
    "UnknownInteraction",
]
