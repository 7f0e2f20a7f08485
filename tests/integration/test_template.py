"""`plugin-packager new` taken all the way: the generated project's tests, lint, YAMLs and wagons,
judged by real cloudify-common 7.0.5 (MockCloudifyContext, dsl_parser), tox and our own build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from packager._toml import tomllib

from .conftest import PROJECTS, ROOT, Run, copy_project, interpreter, read_package_json

# The part of Cloudify's types.yaml the generated YAMLs lean on.
TYPES = """\
node_types:
  cloudify.nodes.Root:
    interfaces:
      cloudify.interfaces.lifecycle:
        precreate: {}
        create: {}
        configure: {}
        start: {}
        poststart: {}
        prestop: {}
        stop: {}
        delete: {}
        postdelete: {}
  cloudify.nodes.Compute:
    derived_from: cloudify.nodes.Root
relationships:
  cloudify.relationships.depends_on: {}
  cloudify.relationships.contained_in:
    derived_from: cloudify.relationships.depends_on
"""
ORACLE = """\
import json, sys
from dsl_parser import parser
plan = parser.parse_from_path(sys.argv[1])
print(json.dumps({
    "operations": {
        n["id"]: {k: [v["plugin"], v["operation"], v["executor"]] for k, v in n["operations"].items()
                  if k.startswith("cloudify.interfaces.lifecycle.") and v["operation"]}
        for n in plan["nodes"]
    },
    "plugins": sorted({(p["name"], p["package_name"], p["package_version"], p["executor"])
                       for n in plan["nodes"] for p in n.get("plugins", [])}),
    "labels": sorted(plan.get("labels", {})),
}))
"""
DSL = {
    "plugin_1_5.yaml": "cloudify_dsl_1_5",
    "plugin_1_4.yaml": "cloudify_dsl_1_4",
    "v2_plugin.yaml": "cloudify_dsl_1_3",
    "plugin.yaml": "cloudify_dsl_1_3",
}
LIFECYCLE = "cloudify.interfaces.lifecycle"
UNUSUAL = {
    "plugin_name": "cloudify-acme-enterprise-network-function-virtualisation-orchestration-plugin",
    "package_name": "acme_nfv_orchestration_suite_with_a_long_package_name_2",
    "plugin_key": "acme_nfv2",
    "author": "Zoë Ångström-Łukasiewicz (山田 太郎) O'Brien",
    "description": "Orchestrates Acme NFV: «fast», naïve & <safe>",
    "version": "1.0.0rc1",
    "license": "BSD-3-Clause",
    "executor": "host_agent",
    "python_versions": "3.12",
}


def new(run_cli: Run, out: Path, **answers: str) -> Path:
    proc = run_cli("new", "--no-input", "-o", out, *(f"{k}={v}" for k, v in answers.items()))
    return Path(proc.stdout.strip())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> Path:
    out = tmp_path_factory.mktemp("new")
    project = new(run_cli, out)
    assert project == out / "cloudify-example-plugin"
    return project


@pytest.fixture(scope="module")
def unusual(tmp_path_factory: pytest.TempPathFactory, run_cli: Run) -> Path:
    return new(run_cli, tmp_path_factory.mktemp("unusual"), **UNUSUAL)


@pytest.fixture(scope="module")
def tox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("tox-venv")
    subprocess.run([interpreter("3.11"), "-m", "venv", venv], check=True, timeout=300)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", "tox>=4"],
                   check=True, timeout=600, capture_output=True)
    return venv / "bin" / "tox"


def plugin_yamls(project: Path) -> dict[str, dict[str, Any]]:
    return {name: yaml.safe_load((project / name).read_text(encoding="utf-8")) for name in DSL}


def mappings(doc: dict[str, Any]) -> list[str]:
    found = []
    for node_type in doc["node_types"].values():
        for interface in node_type["interfaces"].values():
            for operation in interface.values():
                found.append(operation["implementation"] if isinstance(operation, dict) else operation)
    return found


def parse(venv: Path, workdir: Path, plugin_yaml: Path, dsl: str, node_type: str,
          host_agent: bool = False) -> subprocess.CompletedProcess[str]:
    """dsl_parser's verdict on a blueprint of version `dsl` that imports `plugin_yaml`."""
    workdir.mkdir(parents=True)
    (workdir / "types.yaml").write_text(TYPES)
    (workdir / "oracle.py").write_text(ORACLE)
    shutil.copy(plugin_yaml, workdir / plugin_yaml.name)
    node: dict[str, Any] = {"type": node_type}
    templates = {"resource": node}
    if host_agent:
        node["relationships"] = [{"type": "cloudify.relationships.contained_in", "target": "host"}]
        templates["host"] = {"type": "cloudify.nodes.Compute"}
    blueprint = {
        "tosca_definitions_version": dsl,
        "imports": ["types.yaml", plugin_yaml.name],
        "node_templates": templates,
    }
    (workdir / "blueprint.yaml").write_text(yaml.safe_dump(blueprint, sort_keys=False))
    return subprocess.run(
        [venv / "bin" / "python", workdir / "oracle.py", workdir / "blueprint.yaml"],
        capture_output=True, text=True, timeout=120, check=False,
    )


def run_tests(venv: Path, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.mark.parametrize("which", ["generated", "unusual"])
def test_generated_tests_pass_against_cloudify_common(
    request: pytest.FixtureRequest, which: str, cloudify_venv: Path
) -> None:
    project: Path = request.getfixturevalue(which)
    proc = run_tests(cloudify_venv, project)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "14 passed" in proc.stdout


@pytest.mark.parametrize("which", ["generated", "unusual"])
def test_generated_code_passes_tox_lint(request: pytest.FixtureRequest, which: str, tox: Path) -> None:
    project: Path = request.getfixturevalue(which)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOX_", "VIRTUAL_ENV"))}
    proc = subprocess.run([tox, "-e", "lint"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "All checks passed!" in proc.stdout
    assert "lint: OK" in proc.stdout


@pytest.mark.parametrize("name", list(DSL))
def test_every_generated_yaml_parses_with_dsl_parser(
    generated: Path, cloudify_venv: Path, tmp_path: Path, name: str
) -> None:
    proc = parse(cloudify_venv, tmp_path / "bp", generated / name, DSL[name], "example.nodes.Resource")
    assert proc.returncode == 0, proc.stderr[-3000:]
    plan = json.loads(proc.stdout)
    assert plan["plugins"] == [["example", "cloudify-example-plugin", "0.1.0", "central_deployment_agent"]]
    assert plan["operations"]["resource"] == {
        f"{LIFECYCLE}.{op}": ["example", f"cloudify_example.tasks.{op}", "central_deployment_agent"]
        for op in ("create", "start", "stop", "delete")
    }
    assert plan["labels"] == ([] if name == "plugin.yaml" else ["obj-type"])


@pytest.mark.parametrize("name", list(DSL))
def test_host_agent_yamls_parse_with_a_host(
    unusual: Path, cloudify_venv: Path, tmp_path: Path, name: str
) -> None:
    node_type = f"{UNUSUAL['plugin_key']}.nodes.Resource"
    proc = parse(cloudify_venv, tmp_path / "bp", unusual / name, DSL[name], node_type, host_agent=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    operations = json.loads(proc.stdout)["operations"]["resource"]
    assert operations[f"{LIFECYCLE}.create"] == [
        UNUSUAL["plugin_key"], f"{UNUSUAL['package_name']}.tasks.create", "host_agent",
    ]


def test_dsl_parser_refuses_a_yaml_in_an_older_blueprint(generated: Path, cloudify_venv: Path,
                                                         tmp_path: Path) -> None:
    # The oracle can tell: the newer file fails where its generated variant passes.
    proc = parse(cloudify_venv, tmp_path / "bp", generated / "plugin_1_5.yaml", "cloudify_dsl_1_4",
                 "example.nodes.Resource")
    assert proc.returncode != 0
    assert "not supported in version cloudify_dsl_1_4" in proc.stderr


def test_every_dsl_feature_is_rewritten_so_each_variant_parses(
    tmp_path: Path, run_cli: Run, cloudify_venv: Path
) -> None:
    project = copy_project(PROJECTS / "dsl-features", tmp_path / "features")
    proc = run_cli("yaml", project)
    assert proc.stdout.splitlines() == [f"wrote {project / name}" for name in DSL]
    for name, dsl in DSL.items():
        verdict = parse(cloudify_venv, tmp_path / name, project / name, dsl, "feat.nodes.Thing")
        assert verdict.returncode == 0, f"{name}: {verdict.stderr[-3000:]}"
        assert json.loads(verdict.stdout)["plugins"] == [
            ["feat", "dsl-features-plugin", "2.1.0", "central_deployment_agent"]
        ]
    for name, older in (("plugin_1_5.yaml", "cloudify_dsl_1_4"), ("plugin_1_4.yaml", "cloudify_dsl_1_3")):
        verdict = parse(cloudify_venv, tmp_path / f"old-{name}", project / name, older, "feat.nodes.Thing")
        assert "not supported in version" in verdict.stderr, name


def test_yaml_check_fails_on_a_new_version_until_yaml_is_run(
    generated: Path, tmp_path: Path, run_cli: Run
) -> None:
    project = copy_project(generated, tmp_path / "bumped")
    assert run_cli("yaml", "--check", project).returncode == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    before = {name: (project / name).read_bytes() for name in DSL}
    proc = run_cli("yaml", "--check", project, check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == f"{project / 'plugin_1_5.yaml'}:7: stale: has another version"
    assert lines[1] == f"{project / 'plugin_1_4.yaml'}:6: stale: differs from what plugin_1_5.yaml generates"
    assert lines[-1].startswith("plugin-packager: error: 4 of 4 plugin YAMLs are stale")
    assert {name: (project / name).read_bytes() for name in DSL} == before
    assert len(run_cli("yaml", project).stdout.splitlines()) == 4
    assert run_cli("yaml", "--check", project).returncode == 0
    assert all(d["plugins"]["example"]["package_version"] == "0.2.0" for d in plugin_yamls(project).values())


def test_yaml_reads_a_setup_py_version_through_the_backend(tmp_path: Path, run_cli: Run) -> None:
    project = copy_project(PROJECTS / "legacy-setup-py", tmp_path / "legacy")
    proc = run_cli("yaml", "--check", project)
    assert proc.stderr.strip() == "1 plugin YAML up to date"


def test_a_fresh_project_builds_without_a_warning(
    generated: Path, tmp_path: Path, run_cli: Run
) -> None:
    """Nothing is wrong with what `new` writes, so the build's gate says nothing about it (it
    printed a 726-character line of four operations 'checked statically')."""
    interpreter("3.11")
    project = copy_project(generated, tmp_path / "project")
    proc = run_cli("build", project, "-o", tmp_path / "out")
    (wagon,) = (tmp_path / "out").glob("*.wgn")
    assert [line for line in proc.stderr.splitlines() if line.startswith(wagon.name)] == []
    assert max(len(line) for line in proc.stderr.splitlines()) < 200, proc.stderr


def test_generated_project_builds_wagons_that_a_strict_check_accepts(
    generated: Path, tmp_path: Path, run_cli: Run, cloudify_venv: Path
) -> None:
    interpreter("3.11")
    project = copy_project(generated, tmp_path / "project")
    run_cli("build", project)
    targets = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["plugin-packager"]
    assert targets == {"python": ["3.11"], "platform": ["manylinux2014_x86_64"], "build-tag": "manylinux",
                       "files": ["icon.svg"]}
    (wagon,) = (project / "dist").glob("*.wgn")
    assert "icon.svg" in read_package_json(wagon)["files"]  # the download site shows it
    assert wagon.name == "cloudify_example_plugin-0.1.0-manylinux-py311-none-manylinux2014_x86_64.wgn"
    meta = read_package_json(wagon)
    assert (meta["package_name"], meta["package_version"]) == ("cloudify-example-plugin", "0.1.0")
    assert meta["plugin_packager"]["plugin_yamls"] == sorted(DSL)
    assert any(w.startswith("cloudify_common-7.0.5-") for w in meta["wheels"])
    assert not [w for w in meta["wheels"] if w.startswith("pytest-")], "test extras leaked in"
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wagon) as archive:
        archive.extractall(unpacked)
    top = unpacked / meta["package_name"]
    (plugin_wheel,) = (top / "wheels").glob("cloudify_example_plugin-*.whl")
    with zipfile.ZipFile(plugin_wheel) as archive:
        archive.extractall(tmp_path / "site")
    wanted = set()
    for name in DSL:
        doc = yaml.safe_load((top / "files" / name).read_text())
        for plugin in doc["plugins"].values():
            assert plugin["package_name"] == meta["package_name"]
            assert plugin["package_version"] == meta["package_version"]
        for mapping in mappings(doc):
            key, path = mapping.split(".", 1)
            assert key in doc["plugins"]
            wanted.add(path)
    assert len(wanted) == 4
    # Each `<module>.<function>` resolves in the wheel that went into the wagon, nowhere else.
    check = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(tmp_path / 'site')!r})\n"
        "for path in sys.argv[1:]:\n"
        "    module, function = path.rsplit('.', 1)\n"
        "    loaded = importlib.import_module(module)\n"
        f"    assert loaded.__file__.startswith({str(tmp_path / 'site')!r}), loaded.__file__\n"
        "    assert callable(getattr(loaded, function)), path\n"
        "print('resolved', len(sys.argv) - 1)\n"
    )
    proc = subprocess.run([cloudify_venv / "bin" / "python", "-c", check, *sorted(wanted)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.stdout.strip() == "resolved 4", proc.stderr
    # And our own validate agrees: clean-room install on 3.11, imports, every operation callable.
    validated = run_cli("validate", wagon, "--json", check=False)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    checks = json.loads(validated.stdout)["wagons"][0]["checks"]
    statuses = {c["name"]: c["status"] for c in checks}
    assert "failed" not in statuses.values()
    assert "skipped" not in statuses.values()
    assert statuses["install:py311"] == statuses["import:py311"] == "passed"
    assert statuses["operations:plugin_1_5.yaml:py311"] == "passed"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_our_wheel_ships_the_template_and_resources(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".nox", "dist", "*.egg-info", "__pycache__", ".*_cache"
    ))
    subprocess.run(
        [sys.executable, "-m", "build", "--installer", "uv", "--outdir", tmp_path / "dist", source],
        check=True, capture_output=True, timeout=600,
    )
    (wheel,) = (tmp_path / "dist").glob("plugin_packager-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    template = {
        "packager/" + p.relative_to(source).as_posix()
        for p in (source / "templates").rglob("*") if p.is_file()
    }
    resources = {
        p.relative_to(source).as_posix()
        for p in (source / "packager" / "resources").rglob("*") if p.is_file()
    }
    assert template >= {
        "packager/templates/plugin-template/cookiecutter.json",
        "packager/templates/plugin-template/{{cookiecutter.plugin_name}}/.gitignore",
        "packager/templates/plugin-template/{{cookiecutter.plugin_name}}/.github/workflows/release.yml",
    }
    assert "packager/resources/defaults.toml" in resources
    assert (template | resources) - names == set()
    (sdist,) = (tmp_path / "dist").glob("plugin_packager-*.tar.gz")
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        assert f"{top}/templates/plugin-template/cookiecutter.json" in archive.getnames()
    # Installed from that wheel (no source tree behind it), `new` still finds its template.
    venv = tmp_path / "venv"
    subprocess.run([interpreter("3.11"), "-m", "venv", venv], check=True, timeout=300)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel],
                   check=True, capture_output=True, timeout=600)
    proc = subprocess.run(
        [venv / "bin" / "plugin-packager", "new", "--no-input", "-o", tmp_path / "made"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True,
    )
    project = Path(proc.stdout.strip())
    assert str(venv) in subprocess.run(
        [venv / "bin" / "python", "-c",
         "import packager.author.scaffold as s; print(s.template_dir())"],
        cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    # Plain cookiecutter on the repository's template makes the very same project.
    subprocess.run(
        [venv / "bin" / "cookiecutter", "--no-input", source / "templates" / "plugin-template",
         "-o", tmp_path / "plain"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True,
    )
    assert tree(tmp_path / "plain" / project.name) == tree(project)
    assert sorted(p.name for p in project.iterdir()) == [
        ".github", ".gitignore", "CHANGELOG.md", "LICENSE", "README.md", "cloudify_example",
        "icon.svg", "plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml", "pyproject.toml", "tests", "tox.ini",
        "v2_plugin.yaml",
    ]


def test_tox_yaml_runs_today_with_plugin_packager_from_a_path(
    tmp_path: Path, run_cli: Run, tox: Path
) -> None:
    """Until plugin-packager is on an index, `packager_requirement` points CI at a checkout (or a
    git URL): the generated `tox -e yaml` installs it from there and checks the YAMLs."""
    project = new(run_cli, tmp_path, packager_requirement=f"plugin-packager @ {ROOT.as_uri()}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOX_", "VIRTUAL_ENV"))}
    proc = subprocess.run([tox, "-e", "yaml"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "yaml: OK" in proc.stdout
