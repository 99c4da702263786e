"""A trained model's comparison levels, evaluated in Python: the registration screen's pairs.

Splink stores each level of a model as a condition in DuckDB's SQL. For the few dozen pairs
of a registration check, DuckDB spends about 20 ms setting up those expressions and under a
millisecond computing them; here the same conditions are parsed once per model (with
sqlglot, Splink's own parser) into Python closures, and a check costs about a millisecond.

The stored SQL stays the one definition of a level. The closures keep SQL's three-valued
logic (None is NULL: `NULL = x` is NULL, `NULL OR TRUE` is TRUE, a level holds only when its
condition is TRUE) and DuckDB's arithmetic (integer division and remainder truncate toward
zero); the string metrics are rapidfuzz's, the library DuckDB's Jaro-Winkler comes from.
A condition using anything else raises `Unsupported` when the model is compiled, never while
scoring. `test_python_levels_are_duckdbs` holds every level of the current model to DuckDB's
answer on pairs with every kind of error.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import sqlglot
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein
from sqlglot import exp

Row = Mapping[str, Any]
Value = Callable[[Row, Row], Any]  # (left record, right record) -> a SQL value, None for NULL


class Unsupported(ValueError):
    """A level's SQL uses a construct this module does not evaluate."""


def _strict(function: Callable[..., Any], *arguments: Value) -> Value:
    """`function` of the arguments' values, NULL if any of them is NULL (SQL's rule)."""
    if len(arguments) == 1:
        (only,) = arguments

        def one(left: Row, right: Row) -> Any:
            value = only(left, right)
            return None if value is None else function(value)

        return one
    if len(arguments) == 2:  # the usual case, and the hot one: kept lean
        first, second = arguments

        def two(left: Row, right: Row) -> Any:
            a = first(left, right)
            if a is None:
                return None
            b = second(left, right)
            return None if b is None else function(a, b)

        return two

    def many(left: Row, right: Row) -> Any:
        values = [argument(left, right) for argument in arguments]
        return None if any(value is None for value in values) else function(*values)

    return many


def _and(parts: list[Value]) -> Value:
    def evaluate(left: Row, right: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(left, right)
            if value is None:
                unknown = True
            elif not value:
                return False  # FALSE AND anything is FALSE: stop here, as SQL may
        return None if unknown else True

    return evaluate


def _or(parts: list[Value]) -> Value:
    def evaluate(left: Row, right: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(left, right)
            if value is None:
                unknown = True
            elif value:
                return True
        return None if unknown else False

    return evaluate


def _flatten(node: exp.Expression, kind: type[exp.Expression]) -> list[exp.Expression]:
    """a AND b AND c as [a, b, c] (sqlglot nests them two by two)."""
    if isinstance(node, kind):
        return _flatten(node.this, kind) + _flatten(node.expression, kind)
    if isinstance(node, exp.Paren) and isinstance(node.this, kind):
        return _flatten(node.this, kind)
    return [node]


def _int_division(a: int, b: int) -> int | None:
    if b == 0:
        return None
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _remainder(a: int, b: int) -> int | None:
    if b == 0:
        return None
    quotient = _int_division(a, b)
    return a - b * quotient if quotient is not None else None


def _jaro_winkler(a: str, b: str) -> float:
    if not a or not b:
        return 0.0  # as DuckDB: an empty string is like nothing
    return JaroWinkler.similarity(a, b)


def _least(values: list[Any]) -> Any:
    present = [value for value in values if value is not None]
    return min(present) if present else None  # DuckDB's least skips NULLs


def _greatest(values: list[Any]) -> Any:
    present = [value for value in values if value is not None]
    return max(present) if present else None


_COMPARISONS: dict[type[exp.Expression], Callable[[Any, Any], bool]] = {
    exp.EQ: operator.eq,
    exp.NEQ: operator.ne,
    exp.GT: operator.gt,
    exp.GTE: operator.ge,
    exp.LT: operator.lt,
    exp.LTE: operator.le,
}
_ARITHMETIC: dict[type[exp.Expression], Callable[[Any, Any], Any]] = {
    exp.Add: operator.add,
    exp.Sub: operator.sub,
    exp.Mul: operator.mul,
    exp.IntDiv: _int_division,
    exp.Mod: _remainder,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "damerau_levenshtein": DamerauLevenshtein.distance,
    "list_intersect": lambda a, b: [x for x in dict.fromkeys(a) if x in set(b)],
}


def _column(node: exp.Column, columns: frozenset[str]) -> Value:
    name = node.name
    base, side = name[:-2], name[-2:]
    if side not in ("_l", "_r") or base not in columns:
        raise Unsupported(f"unknown column {name!r}")
    if side == "_l":
        return lambda left, right: left[base]
    return lambda left, right: right[base]


def _literal(node: exp.Literal) -> Value:
    if node.is_string:
        text = node.this
        return lambda left, right: text
    number = int(node.this) if node.is_int else float(node.this)
    return lambda left, right: number


def _case(node: exp.Case, columns: frozenset[str]) -> Value:
    if node.this is not None:
        raise Unsupported("CASE with an operand")
    branches = [
        (_compile(branch.this, columns), _compile(branch.args["true"], columns))
        for branch in node.args["ifs"]
    ]
    default: exp.Expression | None = node.args.get("default")
    otherwise = _compile(default, columns) if default is not None else (lambda left, right: None)

    def evaluate(left: Row, right: Row) -> Any:
        for condition, value in branches:
            if condition(left, right):
                return value(left, right)
        return otherwise(left, right)

    return evaluate


def _is(node: exp.Is, columns: frozenset[str]) -> Value:
    if not isinstance(node.expression, exp.Null):
        raise Unsupported("IS other than IS NULL")
    inner = _compile(node.this, columns)
    return lambda left, right: inner(left, right) is None


def _distinct(node: exp.NullSafeNEQ, columns: frozenset[str]) -> Value:
    a, b = _compile(node.this, columns), _compile(node.expression, columns)

    def evaluate(left: Row, right: Row) -> bool:
        x, y = a(left, right), b(left, right)
        if x is None or y is None:
            return (x is None) != (y is None)
        return x != y

    return evaluate


def _compile(node: exp.Expression, columns: frozenset[str]) -> Value:  # noqa: C901, PLR0911, PLR0912
    """A closure for `node`: one branch per kind of node the models use."""

    def sub(child: exp.Expression) -> Value:
        return _compile(child, columns)

    kind = type(node)
    if kind is exp.Paren:
        return sub(node.this)
    if isinstance(node, exp.Column):
        return _column(node, columns)
    if isinstance(node, exp.Literal):
        return _literal(node)
    if kind is exp.Null:
        return lambda left, right: None
    if kind is exp.Boolean:
        truth = node.this
        return lambda left, right: truth
    if kind is exp.And:
        return _and([sub(part) for part in _flatten(node, exp.And)])
    if kind is exp.Or:
        return _or([sub(part) for part in _flatten(node, exp.Or)])
    if kind is exp.Not:
        return _strict(operator.not_, sub(node.this))
    if isinstance(node, exp.Is):
        return _is(node, columns)
    if isinstance(node, exp.NullSafeNEQ):
        return _distinct(node, columns)
    if kind in _COMPARISONS:
        return _strict(_COMPARISONS[kind], sub(node.this), sub(node.expression))
    if kind in _ARITHMETIC:
        return _strict(_ARITHMETIC[kind], sub(node.this), sub(node.expression))
    if kind is exp.Neg:
        return _strict(operator.neg, sub(node.this))
    if kind is exp.Abs:
        return _strict(abs, sub(node.this))
    if kind is exp.Length:
        return _strict(len, sub(node.this))  # characters of a string, items of a list
    if kind in (exp.Least, exp.Greatest):
        arguments = [sub(node.this), *(sub(e) for e in node.expressions)]
        pick = _least if kind is exp.Least else _greatest
        return lambda left, right: pick([argument(left, right) for argument in arguments])
    if kind is exp.Left:
        return _strict(
            lambda text, count: text[: max(count, 0)], sub(node.this), sub(node.expression)
        )
    if kind is exp.EndsWith:
        return _strict(str.endswith, sub(node.this), sub(node.expression))
    if kind is exp.Replace:
        if node.args.get("replacement") is None:
            raise Unsupported("replace without a replacement")
        return _strict(
            str.replace, sub(node.this), sub(node.expression), sub(node.args["replacement"])
        )
    if kind is exp.Split:
        if node.args.get("limit") is not None:
            raise Unsupported("string_split with a limit")
        return _strict(str.split, sub(node.this), sub(node.expression))
    if kind is exp.JarowinklerSimilarity:
        return _strict(_jaro_winkler, sub(node.this), sub(node.expression))
    if kind is exp.Levenshtein:
        if any(node.args.get(a) is not None for a in ("ins_cost", "del_cost", "sub_cost")):
            raise Unsupported("levenshtein with costs")
        return _strict(Levenshtein.distance, sub(node.this), sub(node.expression))
    if isinstance(node, exp.Case):
        return _case(node, columns)
    if kind is exp.Anonymous and node.name.lower() in _FUNCTIONS:
        return _strict(_FUNCTIONS[node.name.lower()], *(sub(e) for e in node.expressions))
    raise Unsupported(f"{kind.__name__} {node.sql(dialect='duckdb')!r}")


def condition(sql: str, columns: frozenset[str]) -> Callable[[Row, Row], bool]:
    """The level condition `sql` as a test of two records (dicts of `columns`' values)."""
    if sql.strip().upper() == "ELSE":
        return lambda left, right: True
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise Unsupported(str(error)) from error
    if not isinstance(tree, exp.Expression):
        raise Unsupported(f"not an expression: {sql!r}")
    compiled = _compile(tree, columns)
    return lambda left, right: compiled(left, right) is True


@lru_cache(maxsize=64)
def _conditions(sql: str, columns: frozenset[str]) -> Callable[[Row, Row], bool]:
    return condition(sql, columns)


def comparison(levels: list[dict], columns: frozenset[str]) -> list[Callable[[Row, Row], bool]]:
    """Each level's test, in the model's order (the first that holds is the pair's level)."""
    return [_conditions(level["sql_condition"], columns) for level in levels]
