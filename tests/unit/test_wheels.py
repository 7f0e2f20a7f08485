from __future__ import annotations

import zipfile
from pathlib import Path

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
