"""Secrets in URLs are never shown: the one function every display of a feed URL goes through.

A leaf module (it imports nothing of the project), so the CLI, the digest, the daemon and the
fetch logs can all use it.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["redact_errors", "redact_url"]

# Query parameters that usually carry a credential; their values are masked.
_SECRET_PARAM = re.compile(r"(?i)(token|key|secret|pass|pwd|auth|sig|session|credential)")
MASK = "***"


def redact_url(url: str) -> str:
    """``url`` with the password of its user info and the values of credential-like query
    parameters masked; a string that is not a URL comes back as is, minus anything before an '@'
    that looks like user info."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@\s]*@", f"//{MASK}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(k) for k, _ in pairs):
            query = urlencode([(k, MASK if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def redact_errors(text: str) -> str:
    """``text`` (an error message, a detail line) with every URL in it passed through :func:`redact_url`."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
