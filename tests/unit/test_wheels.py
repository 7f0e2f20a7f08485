from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from packager.wheels import inspect_wheel

METADATA = """Metadata-Version: 2.1
Name: Hello_Plugin
Version: 1.0.0
Requires-Python: >=3.6
Requires-Dist: PyYAML>=5.4
Requires-Dist: pytest; extra == "test"
"""


def test_name_and_version_come_from_metadata_not_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "hello_plugin-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello_plugin-1.0.0.dist-info/METADATA", METADATA)
        archive.writestr("hello_plugin/x/METADATA.dist-info/METADATA", "Name: decoy\n")
    info = inspect_wheel(path)
    assert (info.name, info.version, info.requires_python) == ("Hello_Plugin", "1.0.0", ">=3.6")
    assert info.requires_dist == ("PyYAML>=5.4", 'pytest; extra == "test"')
    assert info.is_pure


def _wheel(tmp_path: Path, headers: str) -> Path:
    path = tmp_path / "x-1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x-1.dist-info/METADATA", f"Metadata-Version: 2.4\nName: x\nVersion: 1\n{headers}")
    return path


def test_licences_prefer_the_expression_then_a_short_field_then_classifiers(tmp_path: Path) -> None:
    expression = "License-Expression: MIT OR Apache-2.0\nLicense: long text\n"
    assert inspect_wheel(_wheel(tmp_path, expression)).licenses == ("MIT OR Apache-2.0",)
    assert inspect_wheel(_wheel(tmp_path, "License: BSD-3-Clause\n")).licenses == ("BSD-3-Clause",)
    classifiers = "Classifier: License :: OSI Approved :: MIT License\nClassifier: Topic :: Other\n"
    assert inspect_wheel(_wheel(tmp_path, classifiers)).licenses == ("MIT License",)


def test_a_damaged_wheel_is_a_value_error(tmp_path: Path) -> None:
    """Every caller catches ValueError: a truncated archive or a corrupt member was a BadZipFile
    or zlib.error traceback in `index`."""
    path = tmp_path / "hello_plugin-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello_plugin-1.0.0.dist-info/METADATA", METADATA * 50)
    whole = path.read_bytes()
    for damaged in (whole[:50], whole[:40] + bytes(40) + whole[80:]):
        path.write_bytes(damaged)
        with pytest.raises(ValueError, match="not a readable zip archive"):
            inspect_wheel(path)
