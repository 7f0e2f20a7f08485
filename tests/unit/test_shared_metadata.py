"""Shared release metadata: equal however the backend spelled it, and written as uv reads it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from packager._toml import tomllib
from packager.builder.shared_metadata import ReleaseMetadata, release_key, uv_config
from packager.wheels import inspect_wheel


def wheel(tmp_path: Path, name: str, requires: list[str], python: str | None = None) -> Path:
    path = tmp_path / f"{name.replace('-', '_').lower()}-1.0-py3-none-any.whl"
    headers = [f"Requires-Dist: {r}" for r in requires]
    headers += [f"Requires-Python: {python}"] if python else []
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-1.0.dist-info/METADATA", "\n".join(
            ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0", *headers]) + "\n")
    return path


def test_two_spellings_of_the_same_requirements_are_the_same_metadata(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = ReleaseMetadata.of(inspect_wheel(wheel(tmp_path / "a", "Pp_X", ["idna (<3)", "six"])))
    two = ReleaseMetadata.of(inspect_wheel(wheel(tmp_path / "b", "pp-x", ["six", "idna<3"])))
    assert one == two
    assert one is not None
    assert one.key == release_key("PP.x", "1.0.0")
    assert one.key != release_key("pp-x", "1.0.1")


def test_metadata_that_differs_is_not_the_same(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    one = ReleaseMetadata.of(inspect_wheel(wheel(tmp_path, "x", ["six"])))
    two = ReleaseMetadata.of(inspect_wheel(wheel(tmp_path / "a", "x", ["six", "idna"])))
    assert one != two


def test_the_config_is_toml_uv_reads(tmp_path: Path) -> None:
    odd = 'tricky"\\name'
    shared = [ReleaseMetadata("x", "1.0", ("idna<3", f"six; extra == '{odd}'"), ">=3.6"),
                ReleaseMetadata("y", "2", (), None)]
    data = tomllib.loads(uv_config(shared))
    assert data == {"dependency-metadata": [
        {"name": "x", "version": "1.0", "requires-dist": ["idna<3", f"six; extra == '{odd}'"],
         "requires-python": ">=3.6"},
        {"name": "y", "version": "2", "requires-dist": []},
    ]}
    assert uv_config([]) == ""


def test_a_requirement_that_does_not_parse_is_not_lent(tmp_path: Path) -> None:
    assert ReleaseMetadata.of(inspect_wheel(wheel(tmp_path, "x", ["six >= >= 1"]))) is None
