"""`matrix`: the configured targets as a GitHub Actions include-matrix, without interpreters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from packager.builder.config import load_options
from packager.builder.project import configured_targets
from packager.errors import ConfigError
from packager.release.matrix import matrix, matrix_json, parse_runners
from packager.targets import Host

ROOT = Path(__file__).resolve().parents[2]
TABLE = (
    'python = ["3.9", "3.11"]\n'
    'platform = ["manylinux2014_x86_64", "manylinux_2_28_aarch64"]\n'
)


def project(tmp_path: Path, table: str = TABLE) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nversion = "1"\n[tool.plugin-packager]\n{table}'
    )
    return tmp_path


def cells(tmp_path: Path, host: Host, table: str = TABLE, only: tuple[str, ...] = (),
          skip: tuple[str, ...] = (), env: dict[str, str] | None = None) -> list[dict[str, str]]:
    options = load_options(project(tmp_path, table), env=env or {})
    targets = configured_targets(options, host, only, skip)
    return matrix(targets, parse_runners(options.runners), host, options.combine)["include"]


def test_one_cell_per_target_with_its_runner(tmp_path: Path, host: Host) -> None:
    found = cells(tmp_path, host)
    assert [(c["target"], c["python"], c["arch"], c["runs-on"]) for c in found] == [
        ("cp39-manylinux2014_x86_64", "3.9", "x86_64", "ubuntu-latest"),
        ("cp39-manylinux_2_28_aarch64", "3.9", "aarch64", "ubuntu-24.04-arm"),
        ("cp311-manylinux2014_x86_64", "3.11", "x86_64", "ubuntu-latest"),
        ("cp311-manylinux_2_28_aarch64", "3.11", "aarch64", "ubuntu-24.04-arm"),
    ]
    assert all(c["only"] == c["target"] for c in found)
    assert found[0]["platform"] == "manylinux2014_x86_64"


def test_only_and_skip_are_globs_on_the_target_id(tmp_path: Path, host: Host) -> None:
    found = cells(tmp_path, host, only=("cp311-*", "*x86_64"), skip=("cp39-*",))
    assert [c["target"] for c in found] == ["cp311-manylinux2014_x86_64",
                                            "cp311-manylinux_2_28_aarch64"]


def test_a_glob_that_matches_nothing_is_an_error(tmp_path: Path, host: Host) -> None:
    with pytest.raises(ConfigError, match=r"--only 'cp310-\*' matches none of the targets cp39-"):
        cells(tmp_path, host, only=("cp310-*",))
    with pytest.raises(ConfigError, match="--skip leaves none"):
        cells(tmp_path, host, skip=("*",))


def test_combine_gives_one_cell_per_platform(tmp_path: Path, host: Host) -> None:
    found = cells(tmp_path, host, TABLE + "combine = true\n")
    assert [(c["target"], c["only"], c["python"]) for c in found] == [
        ("cp39.cp311-manylinux2014_x86_64",
         "cp39-manylinux2014_x86_64,cp311-manylinux2014_x86_64", "3.9\n3.11"),
        ("cp39.cp311-manylinux_2_28_aarch64",
         "cp39-manylinux_2_28_aarch64,cp311-manylinux_2_28_aarch64", "3.9\n3.11"),
    ]


def test_runners_come_from_the_config(tmp_path: Path, host: Host) -> None:
    env = {"PLUGIN_PACKAGER_RUNNERS": "x86_64=self-hosted-x64,aarch64=arm-box"}
    assert [c["runs-on"] for c in cells(tmp_path, host, env=env)][:2] == ["self-hosted-x64",
                                                                          "arm-box"]
    with pytest.raises(ConfigError, match="no runner for aarch64"):
        cells(tmp_path, host, env={"PLUGIN_PACKAGER_RUNNERS": "x86_64=x"})
    with pytest.raises(ConfigError, match="is not ARCH=LABEL"):
        cells(tmp_path, host, env={"PLUGIN_PACKAGER_RUNNERS": "ubuntu-latest"})


def test_pure_targets_take_the_planning_machines_runner(tmp_path: Path, host: Host) -> None:
    (cell,) = cells(tmp_path, host, 'python = ["3.11"]\nplatform = ["any"]\n')
    assert (cell["target"], cell["arch"], cell["runs-on"]) == ("py311-any", "any", "ubuntu-latest")


def test_the_release_workflow_takes_the_matrix_through_fromjson(tmp_path: Path, host: Host) -> None:
    """GitHub turns a matrix of only `include` entries into one job per entry, each seeing the
    entry's keys as `matrix.<key>`: every key the build job reads must be in every cell."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/release-wagons.yml").read_text())
    build = workflow["jobs"]["build"]
    assert build["strategy"]["matrix"] == "${{ fromJSON(needs.matrix.outputs.matrix) }}"
    assert build["runs-on"] == "${{ matrix.runs-on }}"
    read = set(re.findall(r"(?<![\w.])matrix\.([\w-]+)", json.dumps(build)))
    assert read == {"target", "only", "python", "pyenv", "runs-on"}
    options = load_options(project(tmp_path, TABLE + "combine = true\n"), env={})
    targets = configured_targets(options, host)
    for combine in (False, True):
        line = matrix_json(matrix(targets, parse_runners(options.runners), host, combine))
        assert "\n" not in line  # one line for $GITHUB_OUTPUT
        strategy = json.loads(line)
        assert list(strategy) == ["include"]
        jobs = strategy["include"]
        assert all(read <= set(job) and all(isinstance(v, str) for v in job.values())
                   for job in jobs)
        assert len({f"cell-{job['target']}" for job in jobs}) == len(jobs)  # artifact names


def test_pythons_setup_python_lacks_are_built_with_pyenv(tmp_path: Path, host: Host) -> None:
    """GitHub's images give setup-python no 3.6 or 3.7: a cell says which of its Pythons the
    workflow builds with pyenv, and asks setup-python only for the others."""
    table = 'python = ["3.6", "3.7", "3.11"]\nplatform = ["manylinux2014_x86_64"]\n'
    found = cells(tmp_path, host, table)
    assert [(c["target"], c["python"], c["pyenv"]) for c in found] == [
        ("cp36-manylinux2014_x86_64", "", "3.6"),
        ("cp37-manylinux2014_x86_64", "", "3.7"),
        ("cp311-manylinux2014_x86_64", "3.11", ""),
    ]
    (combined,) = cells(tmp_path, host, table + "combine = true\n")
    assert (combined["python"], combined["pyenv"]) == ("3.11", "3.6 3.7")
