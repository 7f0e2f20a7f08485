"""Wheels and wagons the tests write themselves, broken on purpose where a test needs it."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.wagon.metadata import METADATA_FILE, WagonId, package_json
from packager.wagon.writer import ZIP_EPOCH, Member, write_wagon

TASKS = '''from cloudify.decorators import operation


@operation
def greet(ctx, **kwargs):
    return "hello"
'''
PLUGIN_YAML = """plugins:
  hello:
    executor: central_deployment_agent
    package_name: hello-plugin
    package_version: '1.0.0'
node_types:
  hello.nodes.Greeter:
    derived_from: cloudify.nodes.Root
    interfaces:
      cloudify.interfaces.lifecycle:
        create: hello.hello_plugin.tasks.greet
"""
YAML_WHEEL = "pyyaml-6.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def wheel_bytes(
    name: str, version: str, modules: dict[str, str] | None = None,
    requires_python: str | None = None,
) -> bytes:
    """A minimal wheel: METADATA, WHEEL and the given modules."""
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        meta += f"Requires-Python: {requires_python}\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(_fixed(f"{info}/METADATA"), meta)
        archive.writestr(_fixed(f"{info}/WHEEL"), "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        for member, text in (modules or {}).items():
            archive.writestr(_fixed(member), text)
    return buf.getvalue()


def _fixed(name: str) -> zipfile.ZipInfo:
    """A member dated 1980-01-01, not now: the same wheel twice is the same bytes, even when
    the clock ticks over an even second between the two (a test writing a wagon again saw a
    different file, refused as a replacement)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o600 << 16  # as writestr gives a member named by a string
    return info


@dataclass
class Layout:
    """A wagon's content before it is written: change any part, then write it."""

    top: str
    metadata: dict[str, Any]
    wheels: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def write(self, dest: Path, fmt: str = "zip", name: str | None = None) -> Path:
        path = dest / (name or self.metadata["archive_name"])
        members = [Member(METADATA_FILE,
                                json.dumps(self.metadata, indent=4, sort_keys=True).encode())]
        members += [Member(f"wheels/{n}", b) for n, b in self.wheels.items()]
        members += [Member(f"files/{n}", b) for n, b in self.files.items()]
        with path.open("wb") as out:
            write_wagon(out, fmt, self.top, sorted(members, key=lambda m: m.arcname),
                              ZIP_EPOCH)
        return path

    def digests(self) -> dict[str, dict[str, Any]]:
        return {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                for n, b in self.wheels.items()}


def ours(
    wheels: dict[str, bytes], files: dict[str, bytes], *, name: str = "hello-plugin",
    version: str = "1.0.0", pytags: tuple[str, ...] = ("py311",),
    platform: str = "manylinux2014_x86_64", build_tag: str = "manylinux",
    requires_python: str | None = ">=3.6",
) -> Layout:
    """A wagon as plugin-packager writes it, over the given wheels and files."""
    layout = Layout(name, {}, dict(wheels), dict(files))
    layout.metadata = package_json(
        WagonId(name, version, build_tag, tuple(pytags), platform),
        requires_python=requires_python, wheels=layout.digests(), files=list(files),
        extension={"targets": [f"cp{pytags[0][2:]}-{platform}"], "plugin_yamls": ["plugin.yaml"]},
    )
    return layout


def hello() -> Layout:
    """hello-plugin 1.0.0 for cp311 on manylinux2014_x86_64, whole and true."""
    plugin = wheel_bytes("hello-plugin", "1.0.0", {
        "hello_plugin/__init__.py": "", "hello_plugin/tasks.py": TASKS,
    }, requires_python=">=3.6")
    pyyaml = wheel_bytes("PyYAML", "6.0.2", {"yaml/__init__.py": ""}, requires_python=">=3.8")
    return ours({"hello_plugin-1.0.0-py3-none-any.whl": plugin, YAML_WHEEL: pyyaml},
                {"plugin.yaml": PLUGIN_YAML.encode()})


def wagon_03(wheels: dict[str, bytes], pythons: list[str], platform: str) -> Layout:
    """legacy-plugin 0.5.2 as wagon 0.3 packed it: the 'distribution:' typo; no files,
    python_requires or build tag keys; excluded_wheels; the 7-part name. Write it as tar.gz."""
    pytags = ".".join(pythons)
    return Layout("legacy-plugin", {
        "archive_name": f"legacy_plugin-0.5.2-{pytags}-none-{platform}-none-none.wgn",
        "build_server_os_properties": {
            "distribution:": None, "distribution_release": None, "distribution_version": None,
        },
        "created_by_wagon_version": "0.3.2",
        "excluded_wheels": [],
        "package_name": "legacy-plugin",
        "package_source": "legacy-plugin==0.5.2",
        "package_version": "0.5.2",
        "supported_platform": platform,
        "supported_python_versions": pythons,
        "wheels": sorted(wheels),
    }, dict(wheels))


def read(path: Path) -> Layout:
    """A zip wagon we wrote ourselves (trusted), back into a Layout."""
    layout = Layout("", {})
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            top, _, rest = name.partition("/")
            layout.top = top
            data = archive.read(name)
            if rest == METADATA_FILE:
                layout.metadata = json.loads(data)
            elif rest.startswith("wheels/"):
                layout.wheels[rest.split("/", 1)[1]] = data
            elif rest.startswith("files/"):
                layout.files[rest.split("/", 1)[1]] = data
    return layout


def tree(root: Path) -> set[str]:
    """Every path under root, to prove nothing appeared or vanished."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}
