"""What a query may ask for: its size, depth, fields and aliases, checked before anything else is done.

Fragments are expanded while counting, so a query that spreads fragments into each other to ask for
millions of fields is refused after ``MAX_FIELDS`` steps: the cost of a check is capped, whatever the query.
Answers are bounded too: generated lists are short, and ``MAX_VALUES`` caps the values of one answer.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)

MAX_QUERY_BYTES = 32 * 1024
MAX_TOKENS = 8000
MAX_DEPTH = 15
MAX_FIELDS = 1000  # fields of the query with its fragments expanded
MAX_ALIASES = 100
MAX_VALUES = 10_000  # values one answer may generate (leaves and objects): ~0.15 s at most
OFF_LOOP_FIELDS = 100  # a query with more fields is validated in a worker thread (validation grows faster)
MAX_LIST = 50  # the longest list a `first`/`last` argument gets
LIST_LENGTHS = (1, 3)  # the lengths of a generated list no argument bounds


class _TooMuch(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


def check_bounds(document: DocumentNode) -> tuple[list[GraphQLError], int]:
    """The bounds ``document`` breaks (at most one error, located at the field that broke it), else ``[]``;
    and how many fields it asks for, fragments expanded (what validating it costs)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    counts = [0, 0]  # fields, aliases
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                _walk(definition.selection_set, 1, fragments, counts, frozenset())
    except _TooMuch as exc:
        return [GraphQLError(str(exc), exc.node)], counts[0]
    return [], counts[0]


def _walk(
    selections: SelectionSetNode | None,
    depth: int,
    fragments: dict[str, FragmentDefinitionNode],
    counts: list[int],
    spreading: frozenset[str],
) -> None:
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            counts[0] += 1
            if counts[0] > MAX_FIELDS:
                raise _TooMuch(f"the query asks for more than {MAX_FIELDS} fields (fragments expanded)", selection)
            if selection.alias is not None:
                counts[1] += 1
                if counts[1] > MAX_ALIASES:
                    raise _TooMuch(f"the query has more than {MAX_ALIASES} aliases", selection)
            if selection.selection_set is not None:
                if depth >= MAX_DEPTH:
                    raise _TooMuch(f"the query nests deeper than {MAX_DEPTH} levels", selection)
                _walk(selection.selection_set, depth + 1, fragments, counts, spreading)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, depth, fragments, counts, spreading)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in spreading:  # a cycle is validation's to report
                _walk(fragment.selection_set, depth, fragments, counts, spreading | {name})
