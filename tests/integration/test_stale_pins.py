"""uv backtracks the wrong package on openstack's cp311 set (astral-sh/uv#8157): it keeps the newest
cryptography and takes msal 1.5.1, azure-identity 1.4.1 and PyJWT 1.7.1 (2020), where pip takes
cryptography one release older and the 2025 releases. The lock must pick what pip picks."""

from __future__ import annotations

from pathlib import Path

from packaging.version import Version

from packager._toml import tomllib

from .conftest import Run, interpreter, write_plugin

OPENSTACK = ["openstacksdk==0.53.0", "IPy==0.81", "pycryptodome>=3.9.8,<3.10",
             "python-manilaclient==2.0.0", "cloudify-common", "cloudify-utilities-plugins-sdk"]


def test_openstacks_azure_pins_are_as_new_as_pips(tmp_path: Path, run_cli: Run) -> None:
    interpreter("3.11")
    project = write_plugin(tmp_path, "openstack-like-plugin", OPENSTACK)
    proc = run_cli("lock", project, "--python", "3.11")
    (lock,) = (project / "locks").glob("pylock.cp311-*.toml")
    pins = {p["name"]: Version(p["version"])
            for p in tomllib.loads(lock.read_text(encoding="utf-8"))["packages"]}
    # pip, December 2026: azure-identity 1.27.0, msal 1.39.0, pyjwt 2.15.1.
    assert pins["azure-identity"] >= Version("1.27"), pins
    assert pins["msal"] >= Version("1.39"), pins
    assert pins["pyjwt"] >= Version("2"), pins
    # The plugin's own pin is its choice, not a surprise worth a line.
    assert "openstacksdk resolves to" not in proc.stderr
