"""Imports run one way: every `packager` module imports only its own part and the parts its row
of the README's table ("Layout and API") allows, whether at the top, in a function or under
TYPE_CHECKING. The table is read from the README, its one source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "packager"
SPINE = "spine"


def allowed_table() -> dict[str, set[str]]:
    """The README's table: part -> the parts it may import (itself always)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout and API\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 2 or cells[0] in ("part", "---"):
            continue
        names = [re.match(r"`?(\w+)`?", item.strip()) for item in cells[1].split(",")]
        part = cells[0].strip("`")
        table[part] = {m.group(1) for m in names if m} | {part}
    return table


def _parts() -> set[str]:
    return {d.name for d in PACKAGE.iterdir() if (d / "__init__.py").is_file()}


def part_of(module: str) -> str:
    """`packager.check.validate` -> check; `packager.targets`, `packager` -> spine."""
    pieces = module.split(".")
    if len(pieces) > 1 and pieces[1] in _parts() | {"__main__"}:
        return pieces[1]
    return SPINE


def imported(module: str, source: str, is_package: bool = False) -> list[str]:
    """Every `packager` module (or subpackage) `source` imports, relative imports resolved."""
    package = module if is_package else module.rsplit(".", 1)[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "packager"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "packager":
                continue
            # `from packager import wagon` or `from .. import _tools` names a module each.
            found += [f"{target}.{a.name}" for a in node.names] if target == "packager" else [target]
    return found


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    table = allowed_table()
    part = part_of(module)
    return [
        f"{module} ({part}) imports {target} ({part_of(target)})"
        for target in imported(module, source, is_package)
        if part_of(target) not in table[part]
    ]


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if relative.parts[1] == "resources":  # scripts run in a clean room, not modules of ours
            continue
        parts = relative.parts[:-1] if path.name == "__init__.py" else relative.parts
        out.append((".".join(parts), path))
    return out


def test_the_table_has_a_row_for_every_part_and_names_only_parts() -> None:
    table = allowed_table()
    assert set(table) == _parts() | {SPINE, "__main__"}
    for allowed in table.values():
        assert allowed <= set(table), allowed - set(table)


def test_the_table_runs_one_way() -> None:
    """No cycle: the parts can be ordered so that each imports only those after it."""
    table = allowed_table()
    edges = {part: allowed - {part} for part, allowed in table.items()}
    while edges:
        leaves = [part for part, needs in edges.items() if not needs & set(edges)]
        assert leaves, f"the table has a cycle among {sorted(edges)}"
        for leaf in leaves:
            del edges[leaf]


def test_no_module_imports_outside_its_row() -> None:
    modules = _modules()
    assert len(modules) > 50  # the walk found the package
    found = [v for name, path in modules
             for v in violations(name, path.read_text(encoding="utf-8"), path.name == "__init__.py")]
    assert found == []


@pytest.mark.parametrize(("module", "source", "bad"), [
    ("packager.check.probe", "from ..builder.cache import Cache", "packager.builder.cache"),
    ("packager.wagon.probe", "def f():\n    from packager.cli import main", "packager.cli"),
    ("packager.site.probe",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import packager.release.merge",
     "packager.release.merge"),
    ("packager.author.probe", "from .. import builder", "packager.builder"),
    ("packager._probe", "from .wagon.report import BuildReport", "packager.wagon.report"),
    ("packager.release", "from ..check import gate", "packager.check"),  # an __init__
])
def test_a_forbidden_import_is_reported(module: str, source: str, bad: str) -> None:
    found = violations(module, source, is_package=module == "packager.release")
    assert len(found) == 1, found
    assert f"imports {bad} " in found[0]


def test_allowed_imports_pass() -> None:
    source = ("import build\nfrom ..check.gate import require_valid\nfrom ..wagon import report\n"
              "from .. import _tools, __version__\nfrom .pipeline import build_wagons\n")
    assert imported("packager.builder.probe", source) == [
        "packager.check.gate", "packager.wagon", "packager._tools", "packager.__version__",
        "packager.builder.pipeline",
    ]
    assert violations("packager.builder.probe", source) == []
