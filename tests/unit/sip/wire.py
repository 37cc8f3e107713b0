"""Helpers for writing SIP messages readably in tests."""

from __future__ import annotations

import textwrap


def wire(text: str, *, line_end: str = "\r\n") -> bytes:
    """A message written as an indented triple-quoted string, with CRLF line ends.

    The text's own line breaks become `line_end`; a trailing blank line ends the headers.
    """
    body = textwrap.dedent(text).lstrip("\n")
    return body.replace("\n", line_end).encode("utf-8")


def framed(head: str, body: bytes = b"") -> bytes:
    """Header lines (without Content-Length) plus `body`, with a correct Content-Length."""
    return wire(head).rstrip(b"\r\n") + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
