"""The ``format`` checks of OpenAPI documents: one checker shared by request validation and by the load-time
search for schemas nothing can satisfy."""

from __future__ import annotations

from jsonschema import FormatChecker

FORMAT_CHECKER = FormatChecker()
