"""A wagon's package.json reaches the installer's command line only as project names and
requirements by name: as an option (`--target=DIR`) uv obeyed it and wrote outside the venv."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import wagons

from .conftest import Run, interpreter


@pytest.mark.parametrize("where", ["requirements", "package_name"])
def test_install_refuses_an_option_in_package_json_and_writes_nothing_outside(
    tmp_path: Path, run_cli: Run, where: str
) -> None:
    interpreter("3.11")
    outside = tmp_path / "outside"
    layout = wagons.hello()
    option = f"--target={outside}"
    if where == "requirements":
        layout.metadata["plugin_packager"]["requirements"] = {"py311": [option]}
    else:
        layout.metadata["package_name"] = option
    wagon = layout.write(tmp_path, name="hostile.wgn")
    for installer in ("uv", "pip"):
        proc = run_cli("install", wagon, "--venv", tmp_path / f"venv-{installer}",
                       "--installer", installer, check=False)
        assert proc.returncode == 5, proc.stderr
        (line,) = proc.stderr.splitlines()
        assert f"{option!r}" in line, line
        assert line.endswith("(hint: the wagon is malformed or hostile: do not install it)"), line
        assert not list(tmp_path.glob("outside*")), installer
