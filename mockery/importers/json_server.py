"""``mockery import json-server``: a json-server database (``db.json``) as a spec serving it through ``db:``.

The database is copied beside the spec (a spec reads files from its own folder only) and served as json-server
serves it: every top-level array a collection, every object a singular resource, ``postId`` a ref to
``posts`` (see docs/fixtures.md). A ``.json5`` database (unquoted keys, trailing commas) is written as JSON.
Top-level values that are neither arrays nor objects are located warnings and left out of the copy:
json-server serves them, mockery's ``db:`` does not.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from mockery.errors import SpecError, SpecErrors, display_path
from mockery.importers.common import ImportWarning, pointer, read_json, refuse, service_name, write_spec_file


def write_spec(database: Path, output: Path) -> tuple[Path, list[ImportWarning]]:
    """Write ``output/<service>.yaml`` (``db: <file>``) and the database beside it; return the spec's path and
    the warnings."""
    shown = display_path(database)
    data = _read(database)
    if not isinstance(data, dict) or not data:
        raise refuse(
            database,
            "",
            "not a json-server database: the top level is not an object of collections",
            'give a db.json such as {"posts": [{"id": 1}]}',
        )
    warnings = [
        ImportWarning(shown, pointer(key), f"{key!r} is neither a collection nor an object: left out")
        for key, value in data.items()
        if not isinstance(value, list | dict)
    ]
    name = service_name(database.stem if database.stem not in ("db", "data") else database.parent.name or "db", "db")
    output.mkdir(parents=True, exist_ok=True)
    beside = output / f"{database.stem}.json"
    kept = {key: value for key, value in data.items() if isinstance(value, list | dict)}
    _place(database, kept if len(kept) < len(data) or database.suffix.lower() == ".json5" else None, beside)
    spec: dict[str, Any] = {"service": name, "db": beside.name}
    comment = f"Imported from {shown} by `mockery import json-server`: edit freely (see docs/fixtures.md)."
    return write_spec_file(spec, output / f"{name}.yaml", comment), warnings


def _read(database: Path) -> Any:
    if database.suffix.lower() != ".json5":
        return read_json(database)
    # JSON5's unquoted keys and trailing commas are YAML flow syntax; its comments are not read.
    try:
        return yaml.safe_load(database.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = f"not a JSON5 database mockery can read: {exc}".splitlines()[0]
        raise SpecErrors([SpecError(display_path(database), line, column, "", message, "write it as JSON")]) from None


def _place(database: Path, data: dict[str, Any] | None, beside: Path) -> None:
    """Copy the database beside the spec (``data`` written as JSON when given: read from JSON5, or with values
    ``db:`` does not serve left out), refusing to overwrite another file of that name."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n" if data is not None else None
    if beside.exists():
        if beside.resolve() == database.resolve():
            return
        same = (
            beside.read_text(encoding="utf-8") == text
            if text is not None
            else beside.read_bytes() == database.read_bytes()
        )
        if not same:
            message = f"{display_path(beside)} exists and holds another database"
            raise SpecErrors([SpecError(display_path(database), 1, 1, "", message, "import into another folder (-o)")])
        return
    if text is not None:
        beside.write_text(text, encoding="utf-8")
    else:
        shutil.copyfile(database, beside)
