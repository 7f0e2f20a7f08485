from __future__ import annotations

import email.message
import io

import pytest

from packager.builder import explain
from packager.builder.explain import (
    absolute,
    closest,
    explain_files,
    marker_note,
    parse_target_id,
    simple_page_files,
)
from packager.errors import ResolutionError, TargetError
from packager.targets import Host

FILES = [
    {"filename": "demo-3.0-cp311-cp311-manylinux_2_34_aarch64.whl"},
    {"filename": "demo-3.0-cp311-cp311-manylinux2014_x86_64.whl"},
    {"filename": "demo-3.0-cp312-cp312-manylinux2014_aarch64.whl"},
    {"filename": "demo-3.0.tar.gz"},
    {"filename": "demo-2.5-cp311-cp311-manylinux2014_aarch64.whl", "yanked": "broken build"},
    {"filename": "demo-2.0-cp311-cp311-manylinux2014_aarch64.whl"},
    {"filename": "demo-4.0-py3-none-any.whl", "requires-python": ">=3.12"},
]


def test_each_version_gets_its_reasons(host: Host) -> None:
    target = parse_target_id("cp311-manylinux2014_aarch64", host)
    verdicts = {v.version: v for v in explain_files(FILES, target)}
    assert list(verdicts) == ["4.0", "3.0", "2.5", "2.0"]
    assert verdicts["4.0"].reasons == {"demo-4.0-py3-none-any.whl": "Requires-Python >=3.12 excludes 3.11"}
    three = verdicts["3.0"].reasons
    assert three["demo-3.0-cp311-cp311-manylinux_2_34_aarch64.whl"] == (
        "needs glibc 2.34, above the target's floor 2.17"
    )
    assert three["demo-3.0-cp311-cp311-manylinux2014_x86_64.whl"] == "for x86_64, not aarch64"
    assert three["demo-3.0-cp312-cp312-manylinux2014_aarch64.whl"] == "built for cp312-cp312, not cp311"
    assert verdicts["3.0"].sdist == "demo-3.0.tar.gz"
    assert verdicts["2.5"].reasons == {
        "demo-2.5-cp311-cp311-manylinux2014_aarch64.whl": "yanked: broken build"
    }
    assert verdicts["2.0"].usable == ["demo-2.0-cp311-cp311-manylinux2014_aarch64.whl"]
    assert closest(verdicts["3.0"])[0][1].startswith("needs glibc")


def test_marker_note_names_the_requirement(host: Host) -> None:
    target = parse_target_id("cp313-manylinux2014_x86_64", host)
    requires = ["demo; platform_machine == 'aarch64'", "other>=1"]
    assert "is false on cp313-manylinux2014_x86_64" in (marker_note(requires, "Demo", target) or "")
    assert marker_note(requires, "other", target) is None


def test_bad_target_id(host: Host) -> None:
    with pytest.raises(TargetError, match="unknown target"):
        parse_target_id("manylinux2014", host)


def test_a_pep_503_html_page_gives_the_files_json_would() -> None:
    page = (
        '<html><body><a href="../../packages/demo-1.0.tar.gz#sha256=ab">demo-1.0.tar.gz</a>\n'
        '<a href="/p/demo-2.0-py3-none-any.whl" data-requires-python="&gt;=3.12">'
        'demo-2.0-py3-none-any.whl</a>\n'
        '<a href="/p/demo-1.5-py3-none-any.whl" data-yanked="">demo-1.5-py3-none-any.whl</a>'
        '<a href="/p/demo-1.4.tar.gz"></a></body></html>')
    base = "https://idx.example.com/simple/demo/"
    assert absolute(simple_page_files(page), base) == [
        {"filename": "demo-1.0.tar.gz",
         "url": "https://idx.example.com/packages/demo-1.0.tar.gz#sha256=ab"},
        {"filename": "demo-2.0-py3-none-any.whl",
         "url": "https://idx.example.com/p/demo-2.0-py3-none-any.whl", "requires-python": ">=3.12"},
        {"filename": "demo-1.5-py3-none-any.whl",
         "url": "https://idx.example.com/p/demo-1.5-py3-none-any.whl", "yanked": True},
        {"filename": "demo-1.4.tar.gz", "url": "https://idx.example.com/p/demo-1.4.tar.gz"},
    ]


def test_an_index_page_nested_past_the_bound_is_one_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hostile index's 100,000-deep JSON page was a RecursionError traceback."""

    class Page(io.BytesIO):
        headers = email.message.Message()

    Page.headers["Content-Type"] = "application/vnd.pypi.simple.v1+json"
    monkeypatch.setattr(explain, "open_url", lambda *_: Page(b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(ResolutionError, match="is neither PEP 691 JSON nor HTML"):
        explain.index_files("demo", "https://idx.example.com/simple")


def test_of_misses_of_one_kind_the_target_platforms_wheel_comes_first(host: Host) -> None:
    """The trial's bug B: `explain psutil cp36-win_amd64` listed 7.2.2's macOS and Linux wheels
    (alphabetically first) and never its cp37 win_amd64 one, the nearest miss."""
    files = [{"filename": f"psutil-7.2.2-cp36-abi3-{platform}.whl"} for platform in (
        "macosx_10_9_x86_64", "macosx_11_0_arm64", "manylinux2014_aarch64",
        "manylinux2014_x86_64")] + [{"filename": "psutil-7.2.2-cp37-abi3-win_amd64.whl"}]
    (verdict,) = explain_files(files, parse_target_id("cp36-win_amd64", host))
    assert closest(verdict)[0] == ("psutil-7.2.2-cp37-abi3-win_amd64.whl",
                                   "built for cp37-abi3, not cp36")
