"""Every workflow we ship or generate passes actionlint (with shellcheck on its scripts) and the
GitHub workflow JSON schema, pins each action by commit and grants each job only what it needs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, Run

BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
OUR_WORKFLOW = re.compile(r"^[\w.-]+/plugin-packager/\.github/workflows/[\w-]+\.yml@v[\d.]+$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> list[Path]:
    out = tmp_path_factory.mktemp("new")
    run_cli("new", "--no-input", "-o", out)
    return sorted(out.glob("*/.github/workflows/*.yml"))


def ours() -> list[Path]:
    return sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_actionlint_and_the_schema_accept_every_workflow(generated: list[Path]) -> None:
    workflows = ours() + generated
    assert {p.name for p in workflows} == {"ci.yml", "release.yml", "release-wagons.yml",
                                           "release-site.yml"}
    assert len(workflows) == 6
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # shellcheck is there
    commands: list[list[str | Path]] = [
        [BIN / "actionlint", "-no-color"],
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
    ]
    for command in commands:
        proc = subprocess.run([*command, *workflows], capture_output=True, text=True, env=env,
                              timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actions_are_pinned_and_permissions_are_per_job(generated: list[Path]) -> None:
    for path in ours() + generated:
        workflow = yaml.safe_load(path.read_text())
        top = workflow.get("permissions")
        for name, job in workflow["jobs"].items():
            where = f"{path.name}: {name}"
            assert top in ({}, {"contents": "read"}) or "permissions" in job, where
            if "uses" in job:  # a reusable workflow: ours, by release tag
                assert OUR_WORKFLOW.match(job["uses"]), where
            for step in job.get("steps", []):
                if "uses" in step:
                    assert PINNED.match(step["uses"]), f"{where}: {step['uses']}"


def test_a_caller_grants_exactly_what_the_called_jobs_ask(generated: list[Path]) -> None:
    """GitHub refuses to start a called workflow whose jobs ask for more than the caller grants,
    even jobs their `if` skips: so Pages and OIDC rights live in release-site.yml alone, and a
    `new` project, which deploys no site, grants neither."""
    rank = {"none": 0, "read": 1, "write": 2}

    def asked(name: str) -> dict[str, str]:
        jobs = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())["jobs"]
        union: dict[str, str] = {}
        for job in jobs.values():
            for scope, level in job.get("permissions", {}).items():
                union[scope] = max(union.get(scope, "none"), level, key=rank.__getitem__)
        return union

    assert asked("release-wagons.yml") == {"contents": "write"}
    # The site job commits its state to a branch: contents write.
    assert asked("release-site.yml") == {"contents": "write", "pages": "write", "id-token": "write"}
    (release,) = (p for p in generated if p.name == "release.yml")
    callers = [job for job in yaml.safe_load(release.read_text())["jobs"].values() if "uses" in job]
    assert [(job["uses"].split("/")[-1].split("@")[0], job["permissions"]) for job in callers] == [
        ("release-wagons.yml", asked("release-wagons.yml"))]
