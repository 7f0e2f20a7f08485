"""What a failed build's output says about its cause: the compiler's error, the Python exception,
uv's hint, and which release uv could not build, rather than the command's last lines."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

# uv names the release whose metadata or wheel it could not build: `name==version`.
_FAILED_RELEASE = re.compile(r"Failed to (?:download and )?build `([A-Za-z0-9][\w.-]*)==([^`\s]+)`")
_COMPILER_ERROR = re.compile(r"^\S+?:\d+(?::\d+)?: (?:fatal )?error: .+$", re.MULTILINE)
_EXCEPTION = re.compile(r"^\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit): .+$", re.MULTILINE)
_CARETS = re.compile(r"^\s*\^+\s*$")
# uv says this after every failed build: it points at nothing in particular.
_GENERIC_HINT = "Build failures usually indicate a problem with the package or the build environment"
MAX_LINE = 240  # characters of any one line quoted from a tool


def failed_release(output: str) -> tuple[str, str] | None:
    """The (normalized name, version) of the index release uv failed to build, if it says."""
    found = _FAILED_RELEASE.search(output)
    return (canonicalize_name(found.group(1)), found.group(2)) if found else None


def for_another_python(output: str) -> bool:
    """Whether the build failed on code the building Python cannot parse (a Python 2 setup.py):
    the release is not for this Python, so no compiler or header would help."""
    return any(line.strip().startswith("SyntaxError: ") for line in output.splitlines())


def _short(line: str) -> str:
    line = line.strip()
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _syntax_line(lines: list[str], at: int) -> str | None:
    """The source line a SyntaxError at `lines[at]` quotes: the one above its carets."""
    for index in range(at - 1, max(at - 4, 0), -1):
        if _CARETS.match(lines[index]) and index > 0:
            return lines[index - 1].strip()
    return None


def build_cause(output: str) -> str | None:
    """The lines of a build's output that name its cause: the first compiler error (a missing
    header is a `fatal error:`), else the last Python exception (with the source line a
    SyntaxError quotes), and uv's hint when it is specific; None when none is there."""
    parts: list[str] = []
    compiler = _COMPILER_ERROR.search(output)
    if compiler:
        parts.append(_short(compiler.group(0)))
    else:
        lines = output.splitlines()
        raised = [i for i, line in enumerate(lines) if _EXCEPTION.match(line)
                  and not line.lstrip().startswith(("error:", "cause:"))]
        if raised:
            line = lines[raised[-1]].strip()
            quoted = _syntax_line(lines, raised[-1]) if line.startswith("SyntaxError") else None
            parts.append(_short(f"{line} (in `{quoted}`)" if quoted else line))
    hints = [line.strip().removeprefix("hint:").strip() for line in output.splitlines()
             if line.lstrip().startswith("hint:")]
    parts += [f"uv: {_short(hint)}" for hint in hints if hint and hint != _GENERIC_HINT]
    return " | ".join(parts) or None
