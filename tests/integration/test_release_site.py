"""release-site.yml's job without GitHub: the scripts of its steps, taken from the workflow, run
with bash as the runner runs them, against a stand-in `gh` serving a folder of real releases
(tests/fake_gh.py) and a local bare repository in place of github.com for the state branch. The
first run reads every release; a later one restores the state and downloads only its own tag."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import sitecheck

from .conftest import ROOT, Run, interpreter
from .test_site import hello_version

WORKFLOW = ROOT / ".github" / "workflows" / "release-site.yml"
REPO = "example/plugin"
BASE_URL = "https://example.github.io/plugin/"
DOWNLOADS = f"https://github.com/{REPO}/releases/download"
TOKEN = "ghs_thejobstoken"
EPOCHS = {"1.0.0": 1700000000, "1.1.0": 1710000000, "1.2.0": 1720000000,
          "1.3.0": 1730000000, "1.4.0": 1740000000}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> Path:
    """Every release's assets as release-wagons.yml publishes them (the build output and the
    project's plugin YAML), one folder per tag, and one release made by hand with no wagon."""
    interpreter("3.11")
    base = tmp_path_factory.mktemp("releases")
    root = base / "github"
    for version, epoch in EPOCHS.items():
        project = hello_version(base, version)
        run_cli("build", project, "-o", root / f"v{version}",
                env={"SOURCE_DATE_EPOCH": str(epoch)})
        shutil.copy(project / "plugin.yaml", root / f"v{version}")
    (root / "v0.9").mkdir()
    (root / "v0.9" / "notes.txt").write_text("made by hand\n")
    return root


def steps() -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The site job's environment and its steps' (name, script), but the install (the test's
    plugin-packager is on PATH already) and the actions (the Pages upload and deploy)."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["site"]
    scripts = [(s.get("name", s["run"]), s["run"]) for s in job["steps"] if "run" in s]
    assert scripts[0][1].startswith("python -m pip install")
    return job["env"], scripts[1:]


def run_job(runner: Path, made: Path, tags: list[str], tag: str, bare: Path,
            broken: str = "") -> list[list[str]]:
    """One run of the job on a fresh runner (its own RUNNER_TEMP and HOME): GitHub holds the
    releases `tags` (newest first) of those `made`, and fails the `broken` gh calls (then a
    step must fail, and the job stops there). Returns the gh calls it made."""
    github = runner.parent / "github"
    for published in tags:
        if not (github / published).exists():
            shutil.copytree(made / published, github / published)
    (github / "order").write_text("\n".join(tags) + "\n")
    (runner / "bin").mkdir(parents=True)
    gh = runner / "bin" / "gh"
    gh.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                  "from tests.fake_gh import main\nsys.exit(main(sys.argv[1:]))\n")
    gh.chmod(0o755)
    gitconfig = runner / "gitconfig"  # github.com's repository is the local bare one
    gitconfig.write_text(f'[url "{bare}"]\n\tinsteadOf = https://github.com/{REPO}.git\n')
    job_env, scripts = steps()
    given = {"GH_TOKEN": TOKEN, "GH_REPO": REPO, "TAG": tag, "BASE_URL": BASE_URL}
    assert {k for k, v in job_env.items() if "${{" in str(v)} == set(given)
    env = {
        "PATH": os.pathsep.join([str(runner / "bin"), str(Path(sys.executable).parent),
                                 os.environ["PATH"]]),
        "HOME": str(runner / "home"), "RUNNER_TEMP": str(runner / "temp"),
        "GITHUB_SERVER_URL": "https://github.com", "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1", "FAKE_GH_RELEASES": str(github),
        "FAKE_GH_LOG": str(runner / "gh.log"), "FAKE_GH_FAIL": broken,
        **{k: str(v) for k, v in job_env.items() if k not in given}, **given,
    }
    (runner / "home").mkdir()
    (runner / "temp").mkdir()
    for name, script in scripts:
        proc = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        if broken and proc.returncode:
            assert "HTTP 502" in proc.stderr, f"{name}:\n{proc.stdout}\n{proc.stderr}"
            break
        assert proc.returncode == 0, f"{name}:\n{proc.stdout}\n{proc.stderr}"
    else:
        assert not broken, f"the job went on although gh {broken} failed"
    log = runner / "gh.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def fetched(calls: list[list[str]]) -> set[str]:
    """The tags whose assets a run listed or downloaded."""
    return {c[2] for c in calls if c[:2] in (["release", "view"], ["release", "download"])}


def branch_files(bare: Path, branch: str) -> list[str]:
    return subprocess.run(["git", "--git-dir", bare, "ls-tree", "-r", "--name-only", branch],
                          check=True, capture_output=True, text=True).stdout.split()


def test_the_site_job_reads_every_release_once_then_only_the_new_tag(
    releases: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", bare], check=True)
    github = tmp_path / "github"
    github.mkdir()
    branch = steps()[0]["SITE_BRANCH"]

    # First run, no branch yet: every release is read, the one made by hand too (no wagons).
    first = run_job(tmp_path / "run1", releases, ["v1.1.0", "v1.0.0", "v0.9"], "v1.1.0", bare)
    assert fetched(first) == {"v1.1.0", "v1.0.0", "v0.9"}
    assert not [c for c in first if c[:3] == ["release", "download", "v0.9"]]
    saved = branch_files(bare, branch)
    assert "site/.site-state/site.json" in saved
    assert "releases.txt" in saved
    assert not [f for f in saved if "/trash/" in f]
    # git gets the job's token from the environment when github.com asks; no file holds it.
    state = tmp_path / "run1" / "temp" / "state"
    asked = subprocess.run(["git", "-C", state, "credential", "fill"], check=True, text=True,
                           input="protocol=https\nhost=github.com\n\n", capture_output=True,
                           env={**os.environ, "GH_TOKEN": TOKEN, "GIT_TERMINAL_PROMPT": "0",
                                "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    assert f"username=x-access-token\npassword={TOKEN}\n" in asked.stdout
    assert not [p for p in state.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    assert not [f for f in saved if f.endswith(".wgn")]

    # Second run, on a new runner: the state comes from the branch, only the new tag is fetched.
    published = ["v1.2.0", "v1.1.0", "v1.0.0", "v0.9"]
    second = run_job(tmp_path / "run2", releases, published, "v1.2.0", bare)
    assert fetched(second) == {"v1.2.0"}
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", "--branch", branch, bare, checkout], check=True)
    site = checkout / "site"
    # Every URL resolves: the site's files under BASE_URL, the wagons among the releases' assets.
    data = sitecheck.check_site(site, BASE_URL, {f"{DOWNLOADS}/": github})
    (entry,) = data["catalog.json"]
    assert [(v["version"], v["published"]) for v in entry["versions"]] == [
        ("1.2.0", "2024-07-03T09:46:40Z"), ("1.1.0", "2024-03-09T16:00:00Z"),
        ("1.0.0", "2023-11-14T22:13:20Z")]
    wagons = {p.name: p.parent.name for p in github.glob("v1.*/*.wgn")}
    assert len(wagons) == 3
    # Every wagon is linked where its release holds it, and none is in the site.
    listed = json.dumps(data)
    for name, tag in wagons.items():
        assert f"{DOWNLOADS}/{tag}/{name}" in listed, name
        assert f"{DOWNLOADS}/{tag}/{name}.sha256" not in listed
    (newest,) = data["plugins.json"]
    assert [w["url"] for w in newest["wagons"]] == [
        f"{DOWNLOADS}/v1.2.0/{n}" for n, t in wagons.items() if t == "v1.2.0"]
    assert not list(site.rglob("*.wgn"))
    assert (checkout / "releases.txt").read_text().split() == ["v1.1.0", "v1.0.0", "v0.9",
                                                               "v1.2.0"]

    # A re-run of that release reads it alone again, changes nothing and commits nothing.
    head = subprocess.run(["git", "--git-dir", bare, "rev-parse", branch], check=True,
                          capture_output=True, text=True).stdout
    again = run_job(tmp_path / "rerun", releases, published, "v1.2.0", bare)
    assert fetched(again) == {"v1.2.0"}
    assert subprocess.run(["git", "--git-dir", bare, "rev-parse", branch], check=True,
                          capture_output=True, text=True).stdout == head

    # A release whose site job never ran (a third release cancelled it, waiting): the next run
    # reads it with its own.
    caught_up = run_job(tmp_path / "run4", releases, ["v1.4.0", "v1.3.0", *published], "v1.4.0",
                        bare)
    assert fetched(caught_up) == {"v1.4.0", "v1.3.0"}
    subprocess.run(["git", "-C", checkout, "pull", "-q"], check=True)
    data = sitecheck.check_site(site, BASE_URL, {f"{DOWNLOADS}/": github})
    assert [v["version"] for v in data["catalog.json"][0]["versions"]] == [
        "1.4.0", "1.3.0", "1.2.0", "1.1.0", "1.0.0"]


def test_a_release_github_could_not_give_is_read_by_the_next_run(
    releases: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", bare], check=True)
    (tmp_path / "github").mkdir()
    for broken in ("view", "download"):
        run_job(tmp_path / broken, releases, ["v1.0.0"], "v1.0.0", bare, broken)
        # Nothing saved: not the site, and not the release as read.
        assert not list((bare / "refs" / "heads").iterdir())
    calls = run_job(tmp_path / "fine", releases, ["v1.0.0"], "v1.0.0", bare)
    assert fetched(calls) == {"v1.0.0"}
    assert "site/catalog.json" in branch_files(bare, steps()[0]["SITE_BRANCH"])


def test_the_pages_artifact_leaves_the_state_out() -> None:
    """upload-pages-artifact v5 leaves out files and folders whose name starts with a dot unless
    include-hidden-files is true: .site-state/ stays on the branch, off the site."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["site"]
    (upload,) = [s for s in job["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    assert upload["with"]["include-hidden-files"] is False
    assert upload["with"]["path"] == "${{ runner.temp }}/state/site"
