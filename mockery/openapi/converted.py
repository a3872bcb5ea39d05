"""A document converted from another (a Swagger 2.0 document as OpenAPI 3.0) that still locates in the original.

The converter records, for each part it made, the original path it was made from; a part below a recorded one
was copied as it was, so it maps through its nearest recorded ancestor. Positions and paths in errors and
warnings are then those of the file the user wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mockery.source.document import DocPath, Document, Position


@dataclass(frozen=True, slots=True)
class ConvertedDocument(Document):
    """An OpenAPI 3.0 document converted from ``original``; positions and paths answer in the original."""

    original: Document | None = None
    # Converted path -> the original path it was made from; a path not listed maps through its nearest
    # listed ancestor (the parts below it were copied as they were).
    origins: Mapping[DocPath, DocPath] = field(default_factory=dict)

    def written_path(self, path: DocPath) -> DocPath:
        """Where the part of the converted document at ``path`` was written in the original."""
        for size in range(len(path), -1, -1):
            found = self.origins.get(path[:size])
            if found is not None:
                return (*found, *path[size:])
        return path

    def position(self, path: DocPath, *, key: bool = False) -> Position:
        if self.original is None:
            return Document.position(self, path, key=key)
        return self.original.position(self.written_path(path), key=key)


def written_path(document: Document, path: DocPath) -> DocPath:
    """``path`` of ``document`` as the user wrote it (the original path of a converted document)."""
    return document.written_path(path) if isinstance(document, ConvertedDocument) else path
