"""JSON Schema validation whose regexes run on RE2, for every validator that sees client data.

jsonschema evaluates ``pattern``, ``patternProperties`` (and so ``additionalProperties`` and
``unevaluatedProperties``, which ask which keys those patterns cover) and the ``regex`` format with Python's
``re``, which backtracks: a 36-character body against ``^(a+)+$`` holds the event loop for seconds.
``RE2Validator`` is Draft 2020-12 with those keywords on RE2 (``mockery.http.regexes``); each pattern is compiled
once per pattern text, not per validation.

A pattern RE2 cannot compile constrains nothing here. A mockery spec never has one: ``schema_problems`` makes
it a located spec error at load time. A third-party OpenAPI document's (a look-ahead, JavaScript syntax) is
left unenforced rather than refusing the document; ``pattern_problems`` says where such patterns are.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import extend

from mockery.http.regexes import compile_client_regex, compile_regex
from mockery.source.document import DocPath

Problems = list[tuple[DocPath, str]]

_PATTERN_CACHE_SIZE = 4_096
# Keywords whose value is one schema, a list of schemas, or a mapping of names to schemas.
_ONE: tuple[str, ...] = ("additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_ONE += ("contentSchema", "unevaluatedProperties", "unevaluatedItems", "additionalItems", "items")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_NAMED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")


@functools.lru_cache(maxsize=_PATTERN_CACHE_SIZE)
def _compiled(pattern: str) -> tuple[Any, str | None]:
    return compile_regex(pattern)


def schema_regex(pattern: Any) -> Any:
    """The compiled RE2 form of a schema's pattern, or ``None`` when RE2 cannot run it (it is not enforced)."""
    return _compiled(pattern)[0] if isinstance(pattern, str) else None


def pattern_problems(schema: Any, path: DocPath) -> Problems:
    """Each ``pattern`` and ``patternProperties`` name below ``schema`` that RE2 refuses, where, and why.

    ``$ref`` targets are not followed: each pattern is reported where it is written.
    """
    found: Problems = []
    stack: list[tuple[DocPath, Any]] = [(path, schema)]
    while stack:
        where, node = stack.pop()
        if not isinstance(node, dict):
            continue
        pattern = node.get("pattern")
        if isinstance(pattern, str) and (reason := _compiled(pattern)[1]) is not None:
            found.append(((*where, "pattern"), reason))
        named = node.get("patternProperties")
        for name in named if isinstance(named, dict) else ():
            if isinstance(name, str) and (reason := _compiled(name)[1]) is not None:
                found.append(((*where, "patternProperties", name), reason))
        for key in _ONE:
            stack.append(((*where, key), node.get(key)))
        for key in _MANY:
            items = node.get(key)
            if isinstance(items, list):
                stack.extend(((*where, key, index), item) for index, item in enumerate(items))
        for key in _NAMED:
            children = node.get(key)
            if isinstance(children, dict):
                stack.extend(((*where, key, name), child) for name, child in children.items())
    return sorted(found, key=lambda problem: [str(part) for part in problem[0]])


def _is_re2_regex(instance: object) -> bool:
    if isinstance(instance, str):
        _, reason = compile_regex(instance)
        if reason is not None:
            raise ValueError(reason)
    return True


_SCHEMA_FORMATS = FormatChecker()
_SCHEMA_FORMATS.checks("regex", raises=ValueError)(_is_re2_regex)


def schema_problems(schema: Any, path: DocPath) -> Problems:
    """What keeps ``schema`` (written at ``path`` of a spec) from being served: its patterns RE2 refuses,
    each located, or else what makes it not a JSON Schema (draft 2020-12)."""
    problems = pattern_problems(schema, path)
    if problems:
        return problems
    try:
        RE2Validator.check_schema(schema, format_checker=_SCHEMA_FORMATS)
    except SchemaError as exc:
        return [(path, f"not a valid JSON Schema: {exc.message}")]
    return []


# The keywords, as jsonschema writes them (jsonschema/_keywords.py), with RE2 searches.


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    regex = schema_regex(pattern)
    if regex is not None and validator.is_type(instance, "string") and regex.search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        regex = schema_regex(pattern)
        if regex is None:
            continue
        for key, value in instance.items():
            if regex.search(key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _covered_by_patterns(key: str, schema: Any) -> bool:
    """Whether one of the schema's ``patternProperties`` matches ``key``; an unenforced one matches any."""
    patterns = schema.get("patternProperties")
    if not isinstance(patterns, dict):
        return False
    for pattern in patterns:
        regex = schema_regex(pattern)
        if regex is None or regex.search(key) is not None:
            return True
    return False


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    extras = {key for key in instance if key not in properties and not _covered_by_patterns(key, schema)}
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            shown = ", ".join(repr(each) for each in sorted(extras, key=str))
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({shown} {verb} unexpected)")


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


def _evaluated_keys(validator: Any, instance: dict[str, Any], schema: Any) -> set[str]:
    """The keys of ``instance`` that ``schema`` evaluates (jsonschema's rule, with RE2 for the patterns)."""
    if not isinstance(schema, dict):
        return set()
    keys: set[str] = set()
    for keyword in ("$ref", "$dynamicRef"):
        reference = schema.get(keyword)
        if reference is not None:
            resolved = validator._resolver.lookup(reference)
            inner = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            keys |= _evaluated_keys(inner, instance, resolved.contents)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        keys |= properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            keys |= {key for key, value in instance.items() if _valid(validator.descend(value, subschema))}
    if "patternProperties" in schema:
        keys |= {key for key in instance if _covered_by_patterns(key, schema)}
    for name, subschema in schema.get("dependentSchemas", {}).items():
        if name in instance:
            keys |= _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                keys |= _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys |= _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys |= _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys |= _evaluated_keys(validator, instance, schema["else"])
    return keys


def _unevaluated_properties(validator: Any, unevaluated: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    failed = [
        key
        for key in instance
        if key not in evaluated and not _valid(validator.descend(instance[key], unevaluated, path=key, schema_path=key))
    ]
    if failed:
        shown = ", ".join(repr(each) for each in (sorted(failed, key=str) if unevaluated is False else failed))
        verb = "was" if len(failed) == 1 else "were"
        if unevaluated is False:
            yield ValidationError(f"Unevaluated properties are not allowed ({shown} {verb} unexpected)")
        else:
            yield ValidationError(
                f"Unevaluated properties are not valid under the given schema ({shown} {verb} unevaluated and invalid)"
            )


_FORMAT = Draft202012Validator.VALIDATORS["format"]


def _format(validator: Any, format: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    checker = validator.format_checker
    if format == "regex" and checker is not None and "regex" in checker.checkers:
        if isinstance(instance, str):
            _, reason = compile_client_regex(instance)
            if reason is not None:
                yield ValidationError(f"{instance!r} is not a 'regex': {reason}")
        return
    yield from _FORMAT(validator, format, instance, schema)


# A sibling class of Draft202012Validator (extend does not subclass): typed as it, since it has its interface.
RE2Validator: type[Draft202012Validator] = extend(  # type: ignore[no-untyped-call]  # the stubs leave it untyped
    Draft202012Validator,
    validators={
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "unevaluatedProperties": _unevaluated_properties,
        "format": _format,
    },
    format_checker=_SCHEMA_FORMATS,
)
"""Draft 2020-12 validation with every regex on RE2: use it for any schema that validates client data."""
