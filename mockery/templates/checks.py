"""What a template's constants alone decide: values over the rendering limits, found when the spec loads.

``{{ ['x' * 1000000] * 1000000 }}`` needs no request to be known bad: it fails whenever it runs. The
expressions of a template are walked once, and each is given a *shape* when its constants allow: a text or
a list of at least so many items and characters, or an exact integer. The sizes are low bounds counted as
mockery.templates.limits counts them at render time, so a template flagged here always fails there too;
anything that depends on the request, a loop or a branch is simply not judged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from jinja2 import nodes

from mockery.templates.faker_calls import SIZE_PARAMETERS
from mockery.templates.limits import MAX_INT_BITS, MAX_OUTPUT_CHARS, MAX_RANGE, MAX_SIZE_ARGUMENT, Budget, text_weight

Problem = tuple[int, str, str | None]

_SMALLER = f"build a smaller value: a value a template builds is at most {MAX_OUTPUT_CHARS:,} characters"
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


@dataclass(frozen=True, slots=True)
class _Shape:
    """What is known of a value: its kind, at least how many items or characters it has and takes as text,
    and for an integer its exact value."""

    kind: Literal["text", "list", "int", "other"]
    length: int = 0
    weight: int = 0
    number: int | None = None


def _int_shape(value: int) -> _Shape:
    return _Shape("int", 0, value.bit_length() * 30103 // 100000 + 1, value)


class _Estimator:
    def __init__(self, tree: nodes.Template) -> None:
        self.problems: list[Problem] = []
        self.names: dict[str, _Shape] = {}
        stores: Counter[str] = Counter()
        for name in tree.find_all(nodes.Name):
            if name.ctx in ("store", "param"):
                stores[name.name] += 1
        for macro in tree.find_all(nodes.Macro):
            stores[macro.name] += 1
        # Only a name set once, at the top of the template, has one value wherever it is read after that.
        self.single = {name for name, count in stores.items() if count == 1}

    def visit(self, node: nodes.Node, top: bool) -> None:
        if isinstance(node, nodes.Expr):
            self.estimate(node)
            return
        if isinstance(node, nodes.Assign):
            shape = self.estimate(node.node)
            target = node.target
            if top and shape is not None and isinstance(target, nodes.Name) and target.name in self.single:
                self.names[target.name] = shape
            return
        for child in node.iter_child_nodes():
            self.visit(child, top and isinstance(node, nodes.Template))

    def problem(self, node: nodes.Node, message: str, suggestion: str | None = _SMALLER) -> None:
        self.problems.append((node.lineno, message, suggestion))

    def over(self, node: nodes.Node, what: str, shape: _Shape) -> _Shape | None:
        size = max(shape.length, shape.weight)
        if size <= MAX_OUTPUT_CHARS:
            return shape
        self.problem(
            node,
            f"{what} builds a value of at least {size:,} items or characters, over the limit of "
            f"{MAX_OUTPUT_CHARS:,}: it fails whenever it runs",
        )
        return None

    def bits(self, node: nodes.Node, what: str, bits: int) -> bool:
        if bits <= MAX_INT_BITS:
            return True
        self.problem(
            node,
            f"{what} builds an integer of about {bits:,} bits, over the limit of {MAX_INT_BITS:,}: it fails "
            "whenever it runs",
            None,
        )
        return False

    def width(self, node: nodes.Node, what: str, shape: _Shape | None) -> None:
        if shape is not None and shape.number is not None and shape.number > MAX_SIZE_ARGUMENT:
            self.problem(
                node, f"{what} of {shape.number:,} is over the limit of {MAX_SIZE_ARGUMENT:,}", "use a smaller one"
            )

    def estimate(self, node: nodes.Node) -> _Shape | None:
        """The shape of ``node``'s value, or ``None`` when its constants do not decide it (or it is over a
        limit, then reported once, at the innermost expression that breaks it)."""
        if isinstance(node, nodes.Const):
            return _constant(node.value)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            items = [self.estimate(item) for item in node.items]
            return _Shape("list", len(items), len(items) + 1 + sum(item.weight for item in items if item))
        if isinstance(node, nodes.Dict):
            weight = 2 * len(node.items) + 1
            for pair in node.items:
                for part in (self.estimate(pair.key), self.estimate(pair.value)):
                    weight += part.weight if part else 0
            return _Shape("other", 0, weight)
        if isinstance(node, nodes.Name):
            return self.names.get(node.name) if node.ctx == "load" else None
        if isinstance(node, nodes.BinExpr):
            return self.binary(node, self.estimate(node.left), self.estimate(node.right))
        if isinstance(node, nodes.Neg):
            shape = self.estimate(node.node)
            return _int_shape(-shape.number) if shape is not None and shape.number is not None else None
        if isinstance(node, nodes.Concat):
            parts = [self.estimate(part) for part in node.nodes]
            weight = sum(part.weight for part in parts if part)
            return self.over(node, "`~`", _Shape("text", weight, weight))
        if isinstance(node, nodes.Call):
            return self.call(node)
        if isinstance(node, nodes.Filter):
            return self.filter(node)
        self.descend(node)
        return None

    def descend(self, node: nodes.Node) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.estimate(child)
            else:
                self.descend(child)

    def binary(self, node: nodes.BinExpr, left: _Shape | None, right: _Shape | None) -> _Shape | None:
        if left is None or right is None:
            return None
        operator = node.operator
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if sequence.kind in ("text", "list") and times.number is not None:
                    count = max(times.number, 0)
                    if sequence.kind == "text":
                        return self.over(node, "`*`", _Shape("text", sequence.length * count, sequence.weight * count))
                    weight = (sequence.weight - 1) * count + 1 if sequence.length and count else 1
                    return self.over(node, "`*`", _Shape("list", sequence.length * count, weight))
            if left.number is not None and right.number is not None:
                bits = abs(left.number).bit_length() + abs(right.number).bit_length()
                return _int_shape(left.number * right.number) if self.bits(node, "`*`", bits) else None
        elif operator == "**":
            if left.number is not None and right.number is not None and right.number >= 0:
                if abs(left.number) <= 1:
                    return _int_shape(left.number**right.number)
                bits = abs(left.number).bit_length() * right.number
                return _int_shape(left.number**right.number) if self.bits(node, "`**`", bits) else None
        elif operator in ("+", "-"):
            if left.number is not None and right.number is not None:
                return _int_shape(left.number + right.number if operator == "+" else left.number - right.number)
            if operator == "+" and left.kind == right.kind and left.kind in ("text", "list"):
                weight = left.weight + right.weight - (1 if left.kind == "list" else 0)
                return self.over(node, "`+`", _Shape(left.kind, left.length + right.length, weight))
        return None

    def arguments(self, node: nodes.Call | nodes.Filter) -> tuple[list[_Shape | None], dict[str, _Shape | None]]:
        positional = [self.estimate(argument) for argument in node.args]
        named = {str(keyword.key): self.estimate(keyword.value) for keyword in node.kwargs}
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.estimate(extra)
        return positional, named

    def call(self, node: nodes.Call) -> _Shape | None:
        target = node.node
        self.estimate(target)
        positional, named = self.arguments(node)
        if isinstance(target, nodes.Name) and target.name == "range" and not named and node.dyn_args is None:
            numbers = [shape.number if shape else None for shape in positional]
            if 1 <= len(numbers) <= 3 and all(number is not None for number in numbers):
                try:
                    count = len(range(*(number for number in numbers if number is not None)))
                except ValueError:  # a step of 0: range() says so at render time
                    return None
                if count > MAX_RANGE:
                    self.problem(node, f"range() of {count:,} items is over the limit of {MAX_RANGE:,}", None)
        elif isinstance(target, nodes.Name) and target.name == "lipsum":
            for name, shape in zip(("n", "html", "min", "max"), positional, strict=False):
                if name != "html":
                    self.width(node, f"lipsum {name}", shape)
            for name in ("n", "min", "max"):
                self.width(node, f"lipsum {name}", named.get(name))
        elif isinstance(target, nodes.Getattr):
            if isinstance(target.node, nodes.Name) and target.node.name == "faker":
                for name, shape in named.items():
                    if name in SIZE_PARAMETERS:
                        self.width(node, f"faker.{target.attr}() {name}", shape)
            elif target.attr in _WIDTH_METHODS and positional:
                self.width(node, f"a width given to {target.attr}()", positional[0])
        return None

    def filter(self, node: nodes.Filter) -> _Shape | None:
        value = self.estimate(node.node) if node.node is not None else None
        positional, named = self.arguments(node)
        first = positional[0] if positional else None
        if node.name in ("center", "indent"):
            self.width(node, f"a width given to {node.name}", first if first is not None else named.get("width"))
        elif node.name == "batch" and (len(positional) > 1 or "fill_with" in named):
            self.width(node, "a filled batch", first if first is not None else named.get("linecount"))
        elif node.name == "slice":
            self.width(node, "a slice count", first if first is not None else named.get("slices"))
        elif node.name == "list" and value is not None and value.kind in ("text", "list"):
            return _Shape("list", value.length, value.weight if value.kind == "list" else 2 * value.length + 1)
        elif node.name == "join" and value is not None and value.kind == "list":
            separator = first if first is not None else named.get("d")
            between = separator.weight * max(value.length - 1, 0) if separator and separator.kind == "text" else 0
            weight = value.weight - value.length - 1 + between
            return self.over(node, "join", _Shape("text", weight, weight))
        return None


def _constant(value: object) -> _Shape:
    # An empty or false item of a list weighs nothing beyond its separator at render time: here neither.
    if isinstance(value, (list, tuple)):  # a literal that Jinja2's optimizer folded
        return _Shape("list", len(value), text_weight(value, MAX_OUTPUT_CHARS + 1, Budget()))
    if isinstance(value, str):
        return _Shape("text", len(value), len(value))
    if isinstance(value, bool) or value is None:
        return _Shape("other", 0, 4 if value else 0)
    if isinstance(value, int):
        return _Shape("int", 0, _int_shape(value).weight if value else 0, value)
    return _Shape("other", 0, 3 if isinstance(value, float) and value else 0)


def constant_problems(tree: nodes.Template) -> list[Problem]:
    """Every value over a rendering limit that ``tree``'s constants alone build: (template line, message,
    suggestion), in template order."""
    estimator = _Estimator(tree)
    estimator.visit(tree, True)
    return estimator.problems
