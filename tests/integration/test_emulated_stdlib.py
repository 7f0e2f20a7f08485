"""The aarch64 CPython that runs foreign wagons under QEMU holds the whole standard library: every
module this machine's CPython of that version imports, it imports too (Debian splits distutils,
lib2to3, venv and tkinter out of python3.X; a plugin importing distutils.util failed there only)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from packager.check.emulation import emulator_for
from packager.targets import BuildTarget, Host, parse_platform

from .conftest import interpreter
from .test_agent_platforms import QEMU

# Importing these does something (opens a browser, prints a poem, starts IDLE or a demo), not a
# library's work; test suites are a package of their own on Debian, and on no agent; Debian
# deletes ctypes.macholib, macOS's Mach-O loader helpers.
SKIP = (r"^(antigravity|this|idlelib\.idle|.*\.__main__|test|.*\.(tests?|idle_test)(\..*)?"
        r"|ctypes\.macholib(\..*)?)$")
# Every standard module and the submodules of its packages, by name.
LIST_ALL = f"""
import json, pkgutil, re, sys
names = set()
for top in sys.stdlib_module_names:
    if re.match({SKIP!r}, top):
        continue
    names.add(top)
    try:
        package = __import__(top)
    except Exception:
        continue
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), top + ".",
                                      onerror=lambda name: None):
        if not re.match({SKIP!r}, info.name):
            names.add(info.name)
print(json.dumps(sorted(names)))
"""
IMPORT_ALL = """
import importlib, json, sys
failed = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failed))
"""


def importable(command: list[str | Path], names: list[str]) -> dict[str, str]:
    """Of `names`, those the interpreter run by `command` cannot import, each with why."""
    proc = subprocess.run([*command, "-I", "-S", "-c", IMPORT_ALL, json.dumps(names)], capture_output=True,
                          text=True, check=True, timeout=600)
    failed: dict[str, str] = json.loads(proc.stdout.splitlines()[-1])
    return failed


@pytest.mark.skipif(QEMU is None, reason="needs qemu-user-static (.ci/run installs it)")
def test_the_emulated_python_imports_every_stdlib_module_the_native_one_does(
    cache_dir: Path,
) -> None:
    native = interpreter("3.11")
    # -S: setuptools' distutils (the _distutils_hack of site-packages) is no standard module.
    names = json.loads(subprocess.run([native, "-I", "-S", "-c", LIST_ALL], capture_output=True, text=True,
                                      check=True, timeout=300).stdout.splitlines()[-1])
    native_failed = importable([native], names)
    wanted = [n for n in names if n not in native_failed]
    assert {"distutils.util", "lib2to3.pgen2", "venv", "ensurepip", "tkinter", "decimal"} <= set(
        wanted)

    host = Host.detect()
    target = BuildTarget((3, 11), parse_platform("manylinux2014_aarch64", host))
    emulator = emulator_for(target, host, os.environ, None, cache_dir)
    failed = importable([*emulator.runner(), emulator.python], wanted)
    assert not failed, f"{len(failed)} of {len(wanted)} fail under QEMU: {failed}"
