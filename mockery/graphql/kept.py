"""The valid queries of an endpoint kept parsed, so that a query asked again goes straight to execution.

Parsing and validating depend on the query's text and the schema only, and cost about four times what
executing a small query does. What is kept is bounded by count and by the total length of the kept texts (a
parsed document takes about 130 times its text's size in memory), the oldest forgotten first.
"""

from __future__ import annotations

from mockery.graphql.execute import Parsed

KEPT_QUERIES = 256
KEPT_TEXT_BYTES = 64 * 1024  # counted in characters; ~8 MB of parsed documents at most, per endpoint


class KeptQueries:
    """Query text -> its parsed and validated document. Touched on the event loop only."""

    __slots__ = ("_documents", "_text_bytes")

    def __init__(self) -> None:
        self._documents: dict[str, Parsed] = {}
        self._text_bytes = 0

    def get(self, query: str) -> Parsed | None:
        return self._documents.get(query)

    def keep(self, query: str, parsed: Parsed) -> None:
        """Keep a query that passed validation, forgetting the oldest ones it does not leave room for."""
        size = len(query)
        if size > KEPT_TEXT_BYTES or query in self._documents:
            return
        documents = self._documents
        while documents and (len(documents) >= KEPT_QUERIES or self._text_bytes + size > KEPT_TEXT_BYTES):
            oldest = next(iter(documents))
            del documents[oldest]
            self._text_bytes -= len(oldest)
        documents[query] = parsed
        self._text_bytes += size

    def __len__(self) -> int:
        return len(self._documents)
