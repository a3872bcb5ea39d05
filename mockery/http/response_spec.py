"""What one response of a route is, compiled: a leaf of the model, shared by routes and response sets."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockery.http.answer import Answer
from mockery.templates.values import Value


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """What a route answers. ``static_body`` holds the encoded body when nothing in it depends on the request."""

    status: int
    headers: tuple[tuple[str, Value], ...]
    body: Value | None
    media_type: str
    static_body: bytes | None
    is_json: bool
    # Whether a template of the response reads ``request``.
    uses_request: bool = False
    # Whether the spec wrote the content type (else it is mockery's default for the body, which a text body
    # whose lone expression gives a mapping or a list changes to JSON).
    content_type_written: bool = False
    # Built once: the content-type header, and the whole answer when nothing in it depends on the request.
    content_type: tuple[tuple[bytes, bytes], ...] = field(init=False, repr=False, compare=False)
    static_answer: Answer | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        content_type = ((b"content-type", self.media_type.encode("latin-1")),) if self.media_type else ()
        static = None
        if self.static_body is not None and not self.headers:
            static = Answer(self.status, content_type, self.static_body)
        object.__setattr__(self, "content_type", content_type)
        object.__setattr__(self, "static_answer", static)
