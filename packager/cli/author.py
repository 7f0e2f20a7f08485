"""`new` and `yaml`: the plugin author's commands."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import StaleError
from .group import Command


@click.command("yaml", cls=Command)
@click.argument("project", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a plugin YAML is stale.")
def yaml_command(project: Path, check: bool) -> None:
    """Stamp the project's version into every plugin YAML and generate the older DSL variants."""
    from ..author import dsl
    from ..builder.config import load_options, project_version

    env = dict(os.environ)
    options = load_options(project.resolve(), env)
    version = project_version(options.project, env)
    files = dsl.plan(options.project, version, options.yaml_variants)
    stale = [f for f in files if f.stale]
    if check:
        for file in stale:
            click.echo(file.describe(), err=True)
        if stale:
            raise StaleError(
                f"{len(stale)} of {len(files)} plugin YAMLs are stale",
                f"run plugin-packager yaml {project} and commit the result",
            )
    else:
        for path in dsl.write(files):
            click.echo(f"wrote {path}")
    click.echo(f"{len(files)} plugin YAML{'' if len(files) == 1 else 's'} up to date", err=True)


@click.command(cls=Command)
@click.argument("answers", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("-o", "--output-dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path(), help="Where the project directory goes [.].")
@click.option("--no-input", is_flag=True, help="Ask nothing: defaults plus the KEY=VALUE answers.")
def new(answers: tuple[str, ...], output_dir: Path, no_input: bool) -> None:
    """Create a plugin project from the built-in template.

    KEY is one of plugin_name, package_name, plugin_key, author, description, version, license,
    executor, python_versions, platforms; cookiecutter asks for each unless --no-input.
    """
    from ..author import scaffold

    parsed = scaffold.parse_answers(answers)
    click.echo(str(scaffold.new_project(output_dir.resolve(), parsed, no_input=no_input)))


COMMANDS = (yaml_command, new)
