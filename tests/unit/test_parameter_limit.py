"""No function of `packager` takes more than five parameters (self and cls not counted): what
travels together goes as one value (a frozen dataclass), so no call passes a long row of
positional arguments. Exceptions are listed below, each with its reason; an entry that no
longer needs its place fails too, so the list only shrinks.

Click commands (in packager/cli/) are exempt by design: click hands each option of the command
line to its function as one keyword argument, so a command takes one parameter per option; the
command turns them into the library's values (`Where`, `Options`) at once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Union

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "packager"
LIMIT = 5
# "path relative to the repository::qualified name" -> why it may take more than LIMIT (none
# does today; an entry no longer over the limit fails the test, so the list cannot go stale).
ALLOWED: dict[str, str] = {}

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]  # runs on Python 3.9 too


def parameters(function: Function) -> list[str]:
    """Every parameter, `*args` and `**kwargs` included, but a method's self or cls."""
    args = function.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [f"*{a.arg}" for a in (args.vararg, args.kwarg) if a is not None]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def is_click_command(function: Function) -> bool:
    """Decorated by `click.command(...)` or `<group>.command(...)`."""
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr == "command" for d in function.decorator_list)


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    """Each function with its qualified name (`Class.method`, `outer.inner`)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from functions(node, f"{name}.")
        else:
            yield from functions(node, prefix)


def too_long(source: str, rel: str) -> dict[str, int]:
    """`rel::name` -> its number of parameters, for each function of `source` over the limit
    (click commands of packager/cli/ aside)."""
    found = {}
    for name, function in functions(ast.parse(source, rel)):
        if rel.startswith("packager/cli/") and is_click_command(function):
            continue
        count = len(parameters(function))
        if count > LIMIT:
            found[f"{rel}::{name}"] = count
    return found


def package_report() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        found.update(too_long(path.read_text(encoding="utf-8"), rel))
    return found


def test_no_function_takes_more_than_five_parameters_unless_listed_with_a_reason() -> None:
    found = package_report()
    unlisted = {name: count for name, count in found.items() if name not in ALLOWED}
    assert not unlisted, (
        f"functions with more than {LIMIT} parameters: {unlisted}; group what travels together"
        " into a frozen dataclass, or list the function in ALLOWED with its reason")
    stale = sorted(set(ALLOWED) - set(found))
    assert not stale, f"listed in ALLOWED but no longer over the limit (remove them): {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_count_leaves_out_self_and_cls_and_counts_star_args_and_keyword_only() -> None:
    source = '''
class C:
    def method(self, a, b, c, d, e): ...
    @classmethod
    def make(cls, a, b, c, d, e): ...
    def six(self, a, b, c, d, *, e, f): ...
def loose(a, b, c, d, *args, **kwargs): ...
def five(a, b, c, d, e): ...
def outer():
    def inner(a, b, c, d, e, f): ...
'''
    assert too_long(source, "packager/x.py") == {
        "packager/x.py::C.six": 6, "packager/x.py::loose": 6, "packager/x.py::outer.inner": 6,
    }


def test_only_click_commands_of_the_cli_are_exempt() -> None:
    source = '''
@click.command(cls=Command)
@click.option("--a")
def build(a, b, c, d, e, f): ...
@group.command()
def other(a, b, c, d, e, f): ...
@functools.cache
def cached(a, b, c, d, e, f): ...
'''
    assert too_long(source, "packager/cli/x.py") == {"packager/cli/x.py::cached": 6}
    assert set(too_long(source, "packager/site/x.py")) == {
        "packager/site/x.py::build", "packager/site/x.py::other", "packager/site/x.py::cached",
    }
