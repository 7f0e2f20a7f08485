"""The cause of a failed build, read from real tools' output (captured in tests/unit/outputs)."""

from __future__ import annotations

from pathlib import Path

from packager.builder.failures import build_cause, failed_release, for_another_python

OUTPUTS = Path(__file__).parent / "outputs"


def _output(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


def test_uv_names_the_release_whose_python2_setup_py_it_could_not_build() -> None:
    output = _output("uv-compile-python2-sdist.txt")
    assert failed_release(output) == ("pp-t22-alpha", "2.0")
    assert build_cause(output) == (
        "SyntaxError: multiple exception types must be parenthesized"
        " (in `except ImportError, e:`)")


def test_a_missing_header_shows_the_compilers_fatal_error_and_uvs_hint() -> None:
    output = _output("uv-build-missing-header.txt")
    assert build_cause(output) == (
        "pp_t22_cext.c:2:10: fatal error: ffi_missing.h: No such file or directory"
        " | uv: This error likely indicates that you need to install a library that provides"
        " `ffi_missing.h` for `pp_t22_cext-1.0`")
    # A directory uv built is no index release to exclude.
    assert failed_release(output) is None


def test_uv_names_a_release_it_downloaded_to_build_and_normalizes_it() -> None:
    output = "error: Failed to download and build `Cloudify_Common==5.0.0`\n  cause: ..."
    assert failed_release(output) == ("cloudify-common", "5.0.0")
    assert failed_release("error: Failed to build `pkg @ file:///tmp/pkg`") is None


def test_an_output_naming_no_cause_gives_none_and_the_generic_hint_is_dropped() -> None:
    output = ("running build\nerror: something\n"
              "hint: Build failures usually indicate a problem with the package or the build"
              " environment\n")
    assert build_cause(output) is None


def test_the_last_exception_wins_and_long_lines_are_cut() -> None:
    output = ("Traceback (most recent call last):\n  File \"setup.py\", line 1\n"
              "ModuleNotFoundError: No module named 'numpy'\nduring handling...\n"
              f"RuntimeError: {'x' * 400}\n")
    cause = build_cause(output)
    assert cause is not None
    assert cause.startswith("RuntimeError: xxx")
    assert len(cause) == 240


def test_only_code_this_python_cannot_parse_makes_a_release_for_another_python() -> None:
    assert for_another_python(_output("uv-compile-python2-sdist.txt"))
    assert not for_another_python(_output("uv-build-missing-header.txt"))
