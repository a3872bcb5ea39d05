"""The one way mockery compiles a regex that a spec or a client wrote: RE2.

RE2 searches in time linear in the text (times the size of the pattern), so no request can drive a pattern
such as ``(a+)+$`` into catastrophic backtracking, and it compiles in bounded memory (RE2's default 8 MiB
budget: a bigger program is refused). It has no look-arounds and no back-references: a pattern using them is
refused with RE2's reason, which callers turn into a located spec error or a 400.

Every pattern here is only searched (never asked for its groups), so groups are compiled as non-capturing:
RE2 then answers from its DFA without the slower submatch engines.
"""

from __future__ import annotations

from typing import Any

import re2  # type: ignore[import-untyped]

MAX_CLIENT_PATTERN_LENGTH = 1_000
"""The longest pattern (or ``q`` text) a client may send; longer ones are a 400."""


def _options(*, ignore_case: bool, literal: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to its author, not logged by the C++ library
    options.never_capture = True
    options.case_sensitive = not ignore_case
    options.literal = literal
    return options


def compile_regex(pattern: str, *, ignore_case: bool = False, literal: bool = False) -> tuple[Any, str | None]:
    """``(compiled, None)``, or ``(None, why RE2 refuses the pattern)``.

    ``literal`` searches for the text itself (no metacharacters); ``ignore_case`` folds case (Unicode).
    """
    try:
        return re2.compile(pattern, _options(ignore_case=ignore_case, literal=literal)), None
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return None, f"RE2 cannot compile the regex {pattern!r}: {reason}"


def compile_client_regex(pattern: str, *, ignore_case: bool = False, literal: bool = False) -> tuple[Any, str | None]:
    """Like ``compile_regex``, for a pattern a request sent: one over ``MAX_CLIENT_PATTERN_LENGTH`` is refused."""
    if len(pattern) > MAX_CLIENT_PATTERN_LENGTH:
        return None, f"{len(pattern)} characters is longer than the limit of {MAX_CLIENT_PATTERN_LENGTH}"
    return compile_regex(pattern, ignore_case=ignore_case, literal=literal)
