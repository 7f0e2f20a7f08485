"""`new`: a plugin project from the cookiecutter template shipped in this package.

Answers are checked after cookiecutter has asked for them and before it writes anything; the project
is rendered into a temporary directory beside its destination and renamed into place when complete.
"""

from __future__ import annotations

import json
import keyword
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from cookiecutter.generate import generate_context, generate_files
from cookiecutter.prompt import prompt_for_config
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .. import __version__
from ..build.config import check_keys
from ..errors import ConfigError, PackagerError
from ..targets import Host, parse_platform, parse_python

TEMPLATE = "templates/plugin-template"
MIN_PYTHON = (3, 9)  # cloudify-common 7 and the generated tox.ini start there
MAX_NAME = 100
MAX_PACKAGE = 60  # `from <package> import tasks` stays one formatted line
_PLUGIN_NAME = re.compile(r"cloudify-[a-z0-9]+(?:-[a-z0-9]+)*-plugin")
_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
# Another repository's reusable workflow at a ref, or the project's own copy.
WORKFLOW = re.compile(r"[\w.-]+/[\w.-]+/\.github/workflows/release-wagons\.yml@[\w./-]+"
                      r"|\./\.github/workflows/release-wagons\.yml")
# Modules an agent already imports: a plugin package of the same name would hide them.
_TAKEN = {"cloudify", "cloudify_rest_client", "dsl_parser", "script_runner", "wagon", "tests"}
_STDLIB: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())


def template_dir() -> Path:
    """The template in the wheel, or at the top of a source checkout (editable installs)."""
    shipped = resources.files("packager").joinpath(TEMPLATE)
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / TEMPLATE


def parse_answers(pairs: Sequence[str]) -> dict[str, str]:
    """`key=value` words from the command line."""
    answers = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{pair!r} is not KEY=VALUE", "e.g. plugin_name=cloudify-acme-plugin")
        answers[key.strip()] = value
    return answers


def _refuse(key: str, value: str, why: str, example: str) -> ConfigError:
    return ConfigError(f"{key} {value!r} {why}", f"e.g. {key}={example}")


def _one_line(key: str, value: str, example: str) -> str:
    if not value.strip() or any(c in value for c in '"\\') or not value.isprintable():
        raise _refuse(key, value, 'must be one line of text without " or \\', example)
    return value.strip()


def _plugin_name(value: str) -> str:
    example = "cloudify-acme-plugin"
    if not _PLUGIN_NAME.fullmatch(value):
        raise _refuse("plugin_name", value, "must be cloudify-<name>-plugin in lowercase letters,"
                      " digits and single dashes", example)
    if len(value) > MAX_NAME:
        raise _refuse("plugin_name", value, f"is longer than {MAX_NAME} characters", example)
    return value


def _package_name(value: str) -> str:
    example = "cloudify_acme"
    if not _PACKAGE.fullmatch(value) or len(value) > MAX_PACKAGE:
        raise _refuse("package_name", value, "must be a Python package name: lowercase letters,"
                      f" digits and underscores, not starting with a digit, at most {MAX_PACKAGE}",
                      example)
    if keyword.iskeyword(value) or value in _TAKEN or value in _STDLIB:
        raise _refuse("package_name", value, "is taken by Python or by Cloudify's own packages", example)
    return value


def _plugin_key(value: str) -> str:
    if not _KEY.fullmatch(value) or len(value) > MAX_PACKAGE:
        raise _refuse("plugin_key", value, "must be lowercase letters, digits and underscores,"
                      f" starting with a letter, at most {MAX_PACKAGE}"
                      " (operations are <key>.<module>.<function>)", "acme")
    return value


def _version(value: str) -> str:
    try:
        canonical = str(Version(value))
    except InvalidVersion:
        raise _refuse("version", value, "is not a PEP 440 version", "0.1.0") from None
    if canonical != value:
        raise _refuse("version", value, f"is written {canonical!r} in the wheel; use that", canonical)
    return value


def _targets(key: str, value: str, parse: Callable[[str], Any], example: str) -> list[tuple[str, Any]]:
    """Each comma-separated word with what `parse` makes of it."""
    words = list(dict.fromkeys(w.strip() for w in value.split(",") if w.strip()))
    if not words:
        raise _refuse(key, value, "names no target", example)
    try:
        return [(word, parse(word)) for word in words]
    except PackagerError as exc:
        raise _refuse(key, value, f"is not valid: {exc.message}", example) from exc


def _pythons(value: str) -> str:
    versions = [version for _, version in _targets("python_versions", value, parse_python, "3.11")]
    old = [v for v in versions if v < MIN_PYTHON]
    if old:
        raise _refuse("python_versions", value, f"includes {old[0][0]}.{old[0][1]}; the template's"
                      f" cloudify-common 7 needs {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer", "3.11")
    return ",".join(dict.fromkeys(f"{major}.{minor}" for major, minor in versions))


def _platforms(value: str, host: Host) -> str:
    checked = _targets("platforms", value, lambda w: parse_platform(w, host), "manylinux2014_x86_64")
    return ",".join(word for word, _ in checked)


def _packager_requirement(value: str) -> str:
    example = "plugin-packager @ git+https://github.com/OWNER/plugin-packager@COMMIT"
    value = _one_line("packager_requirement", value, f'"{example}"').strip()
    try:
        name = Requirement(value).name
    except InvalidRequirement:
        raise _refuse("packager_requirement", value, "is not a pip requirement", example) from None
    if canonicalize_name(name) != "plugin-packager":
        raise _refuse("packager_requirement", value, "must install plugin-packager", example)
    return value


def _packager_workflow(value: str) -> str:
    if not WORKFLOW.fullmatch(value):
        raise _refuse("packager_workflow", value, "is not OWNER/REPO/.github/workflows/"
                      "release-wagons.yml@REF", "OWNER/plugin-packager/.github/workflows/"
                      "release-wagons.yml@COMMIT")
    return value


def check_answers(answers: Mapping[str, Any], host: Host) -> dict[str, str]:
    """The answers, checked one by one and written the way the project spells them."""
    values = {key: str(value) for key, value in answers.items()}
    return {
        **values,
        "plugin_name": _plugin_name(values["plugin_name"]),
        "package_name": _package_name(values["package_name"]),
        "plugin_key": _plugin_key(values["plugin_key"]),
        "author": _one_line("author", values["author"], '"Jane Doe"'),
        "description": _one_line("description", values["description"], '"Manage Acme resources"'),
        "version": _version(values["version"]),
        "python_versions": _pythons(values["python_versions"]),
        "platforms": _platforms(values["platforms"], host),
        "packager_requirement": _packager_requirement(values["packager_requirement"]),
        "packager_workflow": _packager_workflow(values["packager_workflow"]),
    }


def _questions(template: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def new_project(
    output_dir: Path, answers: Mapping[str, str], no_input: bool = False, host: Host | None = None
) -> Path:
    """Render the template into `output_dir`/<plugin_name>, its YAML variants generated."""
    template = template_dir()
    questions = _questions(template)
    check_keys(answers, questions, "the answers")
    for key, value in answers.items():
        choices = questions[key]
        if isinstance(choices, list) and value not in choices:
            raise _refuse(key, value, f"must be one of {', '.join(choices)}", choices[0])
    context = generate_context(
        context_file=str(template / "cookiecutter.json"),
        extra_context={**answers, "_packager_version": __version__},
    )
    context["cookiecutter"].update(prompt_for_config(context, no_input))
    context["cookiecutter"].update(check_answers(
        {key: context["cookiecutter"][key] for key in questions}, host or Host.detect()
    ))
    dest: Path = output_dir / context["cookiecutter"]["plugin_name"]
    if dest.exists():
        raise ConfigError(f"{dest} already exists", "pass another -o DIR or plugin_name=…")
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".plugin-packager-new-") as tmp:
        project = Path(generate_files(repo_dir=template, context=context, output_dir=tmp))
        # pip byte-compiles the template's modules when it installs our wheel; those are not the project's.
        for cache in sorted(project.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)
        project.rename(dest)
    return dest
