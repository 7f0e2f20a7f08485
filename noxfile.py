"""Developer sessions: `nox -s lint typecheck tests`. The README's test command and ci.yml run the
same tools with the same configuration (pyproject.toml)."""

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]


@nox.session
def lint(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("ruff", "check", ".")


@nox.session(python=["3.9", "3.13"])
def typecheck(session: nox.Session) -> None:
    """mypy checks for the Python it runs on: the lowest supported and the newest."""
    session.install("-e", ".[test]")
    session.run("mypy")


@nox.session(python=PYTHONS)
def unit(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "not integration", *session.posargs)


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Everything, integration included (real pip, uv, wagon, auditwheel, PyPI)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def integration(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "integration", *session.posargs)
