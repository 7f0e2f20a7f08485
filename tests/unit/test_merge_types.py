"""`merge` on a report whose fields are of other types than build writes: one refusal, nothing
written (a string where a list belongs was a TypeError traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from packager.errors import ArchiveError
from packager.release.merge import merge

from .test_merge import cell


@pytest.mark.parametrize(("where", "key", "value"), [
    ("report", "wagons", "p.wgn"), ("report", "wagons", {"file": "p.wgn"}),
    ("report", "source", "git"), ("report", "source_date_epoch", 1.5),
    ("report", "source_date_epoch", -1), ("report", "source_date_epoch", False),
    ("report", "package_name", None), ("wagon", "targets", "cp311-a"),
    ("wagon", "wheels", 2.5), ("wagon", "size", True), ("wagon", "sha256", ["a"]),
    ("wagon", None, "not an object"), ("report", None, ["not", "an", "object"]),
])
def test_a_field_of_another_type_is_refused_naming_it(
    tmp_path: Path, where: str, key: str | None, value: Any,
) -> None:
    a = cell(tmp_path, "cp311-a")
    report = json.loads((a / "build-report.json").read_text())
    if key is None and where == "report":
        report = value
    elif key is None:
        report["wagons"][0] = value
    else:
        (report if where == "report" else report["wagons"][0])[key] = value
    (a / "build-report.json").write_text(json.dumps(report))
    with pytest.raises(ArchiveError, match=r"is not a build report: .*(object|wrong type|list)"):
        merge([a], tmp_path / "release")
    assert not (tmp_path / "release").exists()
