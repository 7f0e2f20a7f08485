"""`new`: a plugin project from the cookiecutter template shipped in this package.

Each answer is checked as soon as it is known, before anything is rendered, and is data: the template
renders it where it is used, but an answer is never itself rendered as a template (cookiecutter would
render a KEY=VALUE answer as Jinja). The project is rendered into a temporary directory beside its
destination and renamed into place when complete.
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
from cookiecutter.prompt import prompt_choice_for_config, read_user_variable, render_variable
from cookiecutter.utils import create_env_with_context
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .. import __version__
from .._keys import check_keys
from ..errors import ConfigError, PackagerError
from ..targets import Host, parse_platform, parse_python

TEMPLATE = "templates/plugin-template"
MIN_PYTHON = (3, 9)  # cloudify-common 7 and the generated tox.ini start there
MAX_NAME = 100
MAX_ANSWER = 200  # an author or a one-line description fits; nothing longer lands in a file
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


_EXAMPLES = {
    "plugin_name": "cloudify-acme-plugin", "package_name": "cloudify_acme", "plugin_key": "acme",
    "author": '"Jane Doe"', "description": '"Manage Acme resources"', "version": "0.1.0",
    "python_versions": "3.11", "platforms": "manylinux2014_x86_64",
    "packager_requirement": '"plugin-packager @ git+https://github.com/OWNER/plugin-packager@COMMIT"',
    "packager_workflow": "OWNER/plugin-packager/.github/workflows/release-wagons.yml@COMMIT",
}


def _refuse(key: str, value: str, why: str, example: str | None = None) -> ConfigError:
    return ConfigError(f"{key} {value!r} {why}", f"e.g. {key}={example or _EXAMPLES[key]}")


def _one_line(key: str, value: str) -> str:
    # Written into TOML and Python strings and Markdown as it is: no quote or escape to break out.
    if not value.strip() or any(c in value for c in '"\\'):
        raise _refuse(key, value, 'must be one line of text without " or \\')
    return value.strip()


def _plugin_name(value: str) -> str:
    if not _PLUGIN_NAME.fullmatch(value):
        raise _refuse("plugin_name", value, "must be cloudify-<name>-plugin in lowercase letters,"
                      " digits and single dashes")
    if len(value) > MAX_NAME:
        raise _refuse("plugin_name", value, f"is longer than {MAX_NAME} characters")
    return value


def _package_name(value: str) -> str:
    if not _PACKAGE.fullmatch(value) or len(value) > MAX_PACKAGE:
        raise _refuse("package_name", value, "must be a Python package name: lowercase letters,"
                      f" digits and underscores, not starting with a digit, at most {MAX_PACKAGE}")
    if keyword.iskeyword(value) or value in _TAKEN or value in _STDLIB:
        raise _refuse("package_name", value, "is taken by Python or by Cloudify's own packages")
    return value


def _plugin_key(value: str) -> str:
    if not _KEY.fullmatch(value) or len(value) > MAX_PACKAGE:
        raise _refuse("plugin_key", value, "must be lowercase letters, digits and underscores,"
                      f" starting with a letter, at most {MAX_PACKAGE}"
                      " (operations are <key>.<module>.<function>)")
    return value


def _version(value: str) -> str:
    try:
        canonical = str(Version(value))
    except InvalidVersion:
        raise _refuse("version", value, "is not a PEP 440 version") from None
    if canonical != value:
        raise _refuse("version", value, f"is written {canonical!r} in the wheel; use that", canonical)
    return value


def _targets(key: str, value: str, parse: Callable[[str], Any]) -> list[tuple[str, Any]]:
    """Each comma-separated word with what `parse` makes of it."""
    words = list(dict.fromkeys(w.strip() for w in value.split(",") if w.strip()))
    if not words:
        raise _refuse(key, value, "names no target")
    try:
        return [(word, parse(word)) for word in words]
    except PackagerError as exc:
        raise _refuse(key, value, f"is not valid: {exc.message}") from exc


def _pythons(value: str) -> str:
    versions = [version for _, version in _targets("python_versions", value, parse_python)]
    old = [v for v in versions if v < MIN_PYTHON]
    if old:
        raise _refuse("python_versions", value, f"includes {old[0][0]}.{old[0][1]}; the template's"
                      f" cloudify-common 7 needs {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer")
    return ",".join(dict.fromkeys(f"{major}.{minor}" for major, minor in versions))


def _platforms(value: str, host: Host) -> str:
    checked = _targets("platforms", value, lambda w: parse_platform(w, host))
    return ",".join(word for word, _ in checked)


def _packager_requirement(value: str) -> str:
    value = _one_line("packager_requirement", value).strip()
    try:
        name = Requirement(value).name
    except InvalidRequirement:
        raise _refuse("packager_requirement", value, "is not a pip requirement") from None
    if canonicalize_name(name) != "plugin-packager":
        raise _refuse("packager_requirement", value, "must install plugin-packager")
    return value


def _packager_workflow(value: str) -> str:
    if not WORKFLOW.fullmatch(value):
        raise _refuse("packager_workflow", value,
                      "is not OWNER/REPO/.github/workflows/release-wagons.yml@REF")
    return value


_CHECKS: dict[str, Callable[[str, Host], str]] = {
    "plugin_name": lambda value, _: _plugin_name(value),
    "package_name": lambda value, _: _package_name(value),
    "plugin_key": lambda value, _: _plugin_key(value),
    "author": lambda value, _: _one_line("author", value),
    "description": lambda value, _: _one_line("description", value),
    "version": lambda value, _: _version(value),
    "python_versions": lambda value, _: _pythons(value),
    "platforms": _platforms,
    "packager_requirement": lambda value, _: _packager_requirement(value),
    "packager_workflow": lambda value, _: _packager_workflow(value),
}


def check_answer(key: str, answer: Any, question: Any, host: Host) -> str:
    """One answer, checked against its `question` (a default or a list of choices) and written
    the way the project spells it."""
    value = str(answer)
    if isinstance(question, list):
        if value not in question:
            raise _refuse(key, value, f"must be one of {', '.join(question)}", question[0])
        return value
    if len(value) > MAX_ANSWER or not value.isprintable():
        raise _refuse(key, value, f"must be one line of text of at most {MAX_ANSWER} characters,"
                      " without control characters")
    return _CHECKS[key](value, host)


def _questions(template: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def _ask(context: dict[str, Any], given: Mapping[str, str], no_input: bool, host: Host) -> dict[str, Any]:
    """Every question's checked answer, in the template's order: the given one as it is, else the
    template's default rendered over the answers so far; each asked for unless `no_input`."""
    env = create_env_with_context(context)
    prompts = context["cookiecutter"].pop("__prompts__", {})
    questions = [(key, raw) for key, raw in context["cookiecutter"].items() if not key.startswith("_")]
    answers = dict(context["cookiecutter"])
    for number, (key, raw) in enumerate(questions, 1):
        prefix = f"  [dim][{number}/{len(questions)}][/] "
        if isinstance(raw, list):  # choices: the given one (a word of the template's) first
            options = [given[key], *(c for c in raw if c != given[key])] if key in given else raw
            value = prompt_choice_for_config(answers, env, key, options, no_input, prompts, prefix)
        else:
            value = given[key] if key in given else render_variable(env, raw, answers)
            if not no_input:
                value = read_user_variable(key, value, prompts, prefix)
        answers[key] = check_answer(key, value, raw, host)
    return answers


def new_project(
    output_dir: Path, answers: Mapping[str, str], no_input: bool = False, host: Host | None = None
) -> Path:
    """Render the template into `output_dir`/<plugin_name>, its YAML variants generated."""
    template = template_dir()
    questions = _questions(template)
    check_keys(answers, questions, "the answers")
    host = host or Host.detect()
    given = {key: check_answer(key, value, questions[key], host) for key, value in answers.items()}
    context = generate_context(
        context_file=str(template / "cookiecutter.json"),
        extra_context={"_packager_version": __version__},
    )
    context["cookiecutter"].update(_ask(context, given, no_input, host))
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
