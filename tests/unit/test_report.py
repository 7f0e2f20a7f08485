"""Validation told to people (issue 22 items 4 and 5): failures first and bounded, the rest
grouped and counted by item; what each Cloudify executor provides to an operation's imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.check import agents
from packager.check.cleanroom import Probe, Shipped, import_check, operations_check
from packager.check.gate import brief_events
from packager.check.report import (
    WIDTH,
    Finding,
    Status,
    WagonReport,
    clip,
    from_findings,
    to_json,
)
from packager.check.validate import Settings, validate_wagon
from packager.cli import main
from packager.targets import Host
from packager.wagon.plugin_yaml import Operation

from ..wagons import PLUGIN_YAML, TASKS, hello, ours, wheel_bytes

YAMLS = ("plugin.yaml", "plugin_1_4.yaml", "plugin_1_5.yaml", "v2_plugin.yaml")
MODULE = "cloudify_kubernetes/tasks/operation_tasks.py"
WHY = ("importing cloudify_kubernetes.tasks needs cloudify_types, which no wheel in the wagon"
       " ships; " + "and a long explanation " * 6)


def _kubernetes() -> WagonReport:
    """As the kubernetes plugin's validate saw it: 18 operations in each of 4 YAMLs, 38 of them
    checked statically, one mapping to a function the module lacks, and the other checks."""
    report = WagonReport("cloudify_kubernetes_plugin-2.13.20-manylinux-py311-none-linux_x86_64.wgn")
    for name in ("archive", "package.json", "metadata", "wheels", "files", "digests", "tags"):
        report.add(name, Status.PASSED, f"{name} is fine")
    statics = 38
    for yaml in YAMLS:
        findings = []
        for n in range(18):
            mapping = f"cloudify_kubernetes.cloudify_kubernetes.tasks.operation_{n}"
            if yaml == "plugin.yaml" and n == 17:
                findings.append(Finding(Status.FAILED, f"{mapping.replace('_17', '')}"
                                        ".multiple_file_resource_update: cloudify_kubernetes/tasks"
                                        "/__init__.py defines no multiple_file_resource_update"))
            elif statics and n < 10:
                statics -= 1
                findings.append(Finding(
                    Status.WARNING, f"{mapping}: checked statically: {MODULE} binds operation_{n}"
                    f" by def ({WHY})", "operation", "checked statically"))
            else:
                findings.append(Finding(Status.PASSED, mapping))
        report.checks.append(from_findings(f"operations:{yaml}:py311", findings, "all found"))
    return report


def test_failures_come_first_one_bounded_line_each_and_the_rest_is_counted() -> None:
    report = _kubernetes()
    lines = report.brief()
    assert lines[0].startswith("failed   operations:plugin.yaml:py311: cloudify_kubernetes.")
    assert lines[0].endswith("defines no multiple_file_resource_update")
    assert lines[1].startswith("warning  38 operations checked statically, e.g."
                               " operations:plugin.yaml:py311: cloudify_kubernetes.")
    assert lines[2] == "passed   40: 7 checks, 33 operations"
    assert len(lines) == 3
    assert all(len(line) <= WIDTH for line in lines), [len(x) for x in lines]
    # Each item counts: 4 YAMLs of 18 operations and 7 other checks.
    assert report.summary().endswith(": FAILED (40 passed, 38 warning, 0 skipped, 1 failed)")


def test_verbose_shows_every_item_whole_and_json_keeps_every_reason() -> None:
    report = _kubernetes()
    every = report.every()
    assert len(every) == 7 + 4 * 18
    assert sum(line.startswith("warning  ") and line.endswith(f"({WHY})") for line in every) == 38
    checks = json.loads(to_json([report]))["wagons"][0]["checks"]
    (operations,) = [c for c in checks if c["name"] == "operations:plugin.yaml:py311"]
    assert operations["status"] == "failed"
    assert operations["reason"].count("checked statically") == 10
    assert "defines no multiple_file_resource_update" in operations["reason"]
    assert set(operations) == {"name", "status", "reason"}


def test_many_failures_are_each_a_line_up_to_a_bound_then_counted() -> None:
    report = WagonReport("w.wgn")
    findings = [Finding(Status.FAILED, f"op{n}: imports {', '.join(['x'] * 200)}")
                for n in range(25)]
    report.checks.append(from_findings("operations:plugin.yaml", findings, "found"))
    lines = report.brief()
    assert all(f"failed   operations:plugin.yaml: op{n}: imports x, x" in lines[n]
               for n in range(20))
    assert lines[20] == "failed   5 more failed items (--verbose shows each)"
    assert all(len(line) <= WIDTH for line in lines)


def test_a_clean_wagon_makes_the_gate_say_nothing_and_a_warning_one_line(
    tmp_path: Path, host: Host
) -> None:
    report = validate_wagon(hello().write(tmp_path), {}, host, Settings(clean_room=False))
    assert report.status is Status.PASSED
    assert brief_events(report, "hello.wgn") == []
    report.add("digests", Status.WARNING, "wagon 1.0.3 records no per-wheel sha256")
    (shown, *details) = brief_events(report, "hello.wgn")
    assert shown.message == ("hello.wgn: warning  digests: wagon 1.0.3 records no per-wheel"
                             " sha256")
    assert not shown.detail
    assert details == []


def test_validate_prints_the_brief_report_and_every_check_with_verbose(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wagon = tmp_path / "k.wgn"
    wagon.write_bytes(b"not read: validate_wagon is replaced")
    monkeypatch.setattr("packager.check.validate.validate_wagon", lambda *_a, **_k: _kubernetes())
    brief = CliRunner().invoke(main, ["validate", str(wagon)])
    assert brief.exit_code == 5
    lines = brief.output.splitlines()
    assert lines[0].startswith("  failed   operations:plugin.yaml:py311:")
    assert lines[-1].endswith("(40 passed, 38 warning, 0 skipped, 1 failed); --verbose shows each")
    assert len(lines) == 4
    assert all(len(line) <= WIDTH for line in lines[:-1])
    verbose = CliRunner().invoke(main, ["validate", "--verbose", str(wagon)])
    assert len(verbose.output.splitlines()) == 7 + 4 * 18 + 1
    as_json = CliRunner().invoke(main, ["validate", "--json", str(wagon)])
    assert json.loads(as_json.output) == json.loads(to_json([_kubernetes()]))


MANAGER_TASKS = TASKS.replace("from cloudify.decorators import operation\n", (
    "from cloudify.decorators import operation\nfrom cloudify_types.utils import errors\n"
    "import mgmtworker\n"))


@pytest.mark.parametrize("executor", [agents.CENTRAL, agents.HOST])
def test_what_an_operation_may_import_depends_on_its_executor(
    tmp_path: Path, host: Host, executor: str
) -> None:
    plugin = wheel_bytes("hello-plugin", "1.0.0", {
        "hello_plugin/__init__.py": "", "hello_plugin/tasks.py": MANAGER_TASKS})
    yaml = PLUGIN_YAML.replace(agents.CENTRAL, executor)
    layout = ours({"hello_plugin-1.0.0-py3-none-any.whl": plugin}, {"plugin.yaml": yaml.encode()})
    report = validate_wagon(layout.write(tmp_path), {}, host, Settings(clean_room=False))
    (ops,) = [c for c in report.checks if c.name == "operations:plugin.yaml"]
    if executor == agents.CENTRAL:
        assert ops.status is Status.PASSED, ops.reason
    else:
        assert ops.status is Status.FAILED
        assert ops.reason == (
            "hello.hello_plugin.tasks.greet: hello_plugin/tasks.py imports cloudify_types.utils,"
            " mgmtworker, which neither the wagon's wheels, the standard library nor the host"
            " agent provides")


def _probe(missing: str) -> Probe:
    failed = {"ok": False, "error": "ModuleNotFoundError", "message": f"No module named {missing!r}",
              "missing": missing}
    return Probe({"hello_plugin": failed}, {"hello_plugin.tasks:greet": failed}, "3.11")


@pytest.mark.parametrize("executor", [agents.CENTRAL, agents.HOST])
def test_in_the_clean_room_a_manager_module_is_the_mgmtworkers_to_provide(
    tmp_path: Path, executor: str
) -> None:
    wheel = tmp_path / "hello_plugin-1.0.0-py3-none-any.whl"
    wheel.write_bytes(wheel_bytes("hello-plugin", "1.0.0", {
        "hello_plugin/__init__.py": "", "hello_plugin/tasks.py": TASKS}))
    shipped = Shipped([wheel])
    op = Operation("node_types.x", "hello.hello_plugin.tasks.greet", "hello_plugin.tasks",
                   "greet", executor)
    ops = operations_check("operations:plugin.yaml:py311", [op], shipped, _probe("cloudify_types"))
    imports = import_check("import:py311", ["hello_plugin"], _probe("cloudify_types"), shipped,
                           [executor])
    if executor == agents.CENTRAL:
        assert (ops.status, imports.status) == (Status.WARNING, Status.WARNING)
        assert "checked statically" in ops.reason
        assert "the manager's mgmtworker must provide it" in imports.reason
    else:
        assert (ops.status, imports.status) == (Status.FAILED, Status.FAILED)
        assert ops.reason == (
            "hello.hello_plugin.tasks.greet: importing hello_plugin.tasks needs cloudify_types,"
            " which neither the wagon's wheels, Python 3.11 nor the host agent provides")
    # Declared by the user, every executor has it.
    declared = Shipped([wheel], ["cloudify_types"])
    assert operations_check("o", [op], declared, _probe("cloudify_types")).status is Status.WARNING


def test_the_executor_comes_from_the_operation_then_its_plugin_and_workflows_run_centrally(
) -> None:
    from packager.wagon.plugin_yaml import operations

    data = {
        "plugins": {"k": {"executor": "host_agent"}},
        "node_types": {"t": {"interfaces": {"i": {
            "a": "k.m.a", "b": {"implementation": "k.m.b", "executor": agents.CENTRAL}}}}},
        "workflows": {"w": {"mapping": "k.m.w"}},
    }
    assert [(o.function, o.executor) for o in operations(data, "plugin.yaml")] == [
        ("a", agents.HOST), ("b", agents.CENTRAL), ("w", agents.CENTRAL)]
    assert {"mgmtworker", "cloudify_types", "cloudify"} <= agents.provided([agents.CENTRAL])
    assert "mgmtworker" not in agents.provided([agents.HOST])
    assert "mgmtworker" not in agents.provided([])


def test_a_long_line_is_cut_between_words_keeping_how_it_ends() -> None:
    text = ("kubernetes.cloudify_kubernetes.tasks.resource_read_check_status: checked statically:"
            " cloudify_kubernetes/tasks/__init__.py binds resource_read_check_status by import"
            " (importing cloudify_kubernetes.tasks needs mgmtworker, which no wheel in the wagon"
            " ships)")
    cut = clip(text, 120)
    assert len(cut) <= 120
    head, tail = cut.split(" … ")
    assert text.startswith(head + " ")
    assert text.endswith(" " + tail)
    assert tail == "no wheel in the wagon ships)"
