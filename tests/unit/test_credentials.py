"""Index credentials: where they come from, and that no URL, repr or message carries them."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager.builder.config import load_options
from packager.builder.indexes import Indexes
from packager.credentials import (
    ENV_PASSWORD,
    ENV_USERNAME,
    find_credential,
    redact,
    secret_file,
)
from packager.errors import ConfigError

SECRET = "s3cr3t-Pa55"
INDEX = "https://pkgs.example.com:8443/simple/"


def _netrc(tmp_path: Path, text: str) -> dict[str, str]:
    (tmp_path / ".netrc").write_text(text)
    return {"HOME": str(tmp_path)}


def test_url_credentials_leave_the_url_and_serve_only_their_host(tmp_path: Path) -> None:
    indexes = Indexes.parse(f"https://bob:{SECRET}@pkgs.example.com:8443/simple/",
                            ["https://pypi.org/simple/"], [], tmp_path, {})
    assert indexes.index_url == INDEX
    assert SECRET not in " ".join(indexes.args()) + repr(indexes)
    assert indexes.auth_header("https://pkgs.example.com:8443/packages/x.whl")["Authorization"]
    assert indexes.auth_header("https://pkgs.example.com/packages/x.whl") == {}
    assert indexes.auth_header("https://files.pythonhosted.org/x.whl") == {}
    assert indexes.uv_credentials() == (
        '[[index]]\nname = "plugin-packager-credentials-1"\n'
        f'url = "https://bob:{SECRET}@pkgs.example.com:8443/simple/"\nexplicit = true\n')
    assert indexes.redact(f"bad answer from https://bob:{SECRET}@host/ ({SECRET})") == (
        "bad answer from https://****@host/ (****)")


def test_sources_in_order_url_environment_netrc(tmp_path: Path) -> None:
    env = {**_netrc(tmp_path, f"machine pkgs.example.com login carol password {SECRET}\n"),
           ENV_USERNAME: "dave", ENV_PASSWORD: "env-pw"}
    given = find_credential(INDEX, Indexes.parse(
        "https://erin:url-pw@pkgs.example.com:8443/simple/", [], [], tmp_path, {}
    ).credentials[0][1], env)
    assert given is not None
    assert (given.username, given.source) == ("erin", "the URL")
    from_env = find_credential(INDEX, None, env)
    assert from_env is not None
    assert (from_env.username, from_env.password) == ("dave", "env-pw")
    from_netrc = find_credential(INDEX, None, {"HOME": env["HOME"]})
    assert from_netrc is not None
    assert (from_netrc.username, from_netrc.password) == ("carol", SECRET)
    assert find_credential("https://other.example.com/simple/", None, {"HOME": env["HOME"]}) is None


def test_half_given_environment_and_broken_netrc_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must be set together"):
        find_credential(INDEX, None, {ENV_USERNAME: "dave"})
    env = _netrc(tmp_path, f"machine pkgs.example.com login carol password {SECRET} bogus\n")
    with pytest.raises(ConfigError) as caught:
        find_credential(INDEX, None, env)
    assert "not a valid netrc file" in caught.value.one_line()
    assert SECRET not in caught.value.one_line()


def test_options_take_credentials_from_flags_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\n')
    env = {ENV_USERNAME: "dave", ENV_PASSWORD: SECRET}
    options = load_options(tmp_path, env, {"index-url": INDEX, "find-links": ("wheels",)})
    assert f'url = "https://dave:{SECRET}@pkgs.example.com:8443/simple/"' in (
        options.indexes.uv_credentials())
    assert SECRET not in repr(options)
    assert redact("no secrets here") == "no secrets here"


def test_refusal_names_the_index_and_what_was_turned_down(tmp_path: Path) -> None:
    bare = Indexes.parse(INDEX, [], [], tmp_path, {})
    line = bare.refused(INDEX, "401 Unauthorized").one_line()
    assert line.startswith(f"the index {INDEX} refused access (401 Unauthorized) (hint: give")
    with_user = f"https://bob:{SECRET}@pkgs.example.com:8443"
    given = Indexes.parse(f"{with_user}/simple/", [], [], tmp_path, {})
    line = given.refused(f"{with_user}/x.whl", "403 Forbidden").one_line()
    assert "https://****@pkgs.example.com:8443/x.whl refused access (403 Forbidden)" in line
    assert "the credentials from the URL were turned down" in line
    assert SECRET not in line


def test_uv_gets_each_hosts_credential_quoted_in_an_explicit_index(tmp_path: Path) -> None:
    env = {ENV_USERNAME: "me@corp", ENV_PASSWORD: 'p:w/"x"'}
    indexes = Indexes.parse(INDEX, ["https://pkgs.example.com:8443/other/", "https://pypi.org/simple/"],
                            ["https://links.example.com/wheels/"], tmp_path, env)
    text = indexes.uv_credentials()
    # One table per host (the second URL of a host adds none), the password percent-quoted.
    assert text.count("[[index]]") == 3
    assert 'url = "https://me%40corp:p%3Aw%2F%22x%22@pkgs.example.com:8443/simple/"' in text
    assert 'url = "https://me%40corp:p%3Aw%2F%22x%22@links.example.com/wheels/"' in text
    assert text.count("explicit = true") == 3
    assert Indexes.parse(INDEX, [], [], tmp_path, {}).uv_credentials() == ""


def test_third_party_environment_holds_no_credential_and_no_netrc(tmp_path: Path) -> None:
    env = {ENV_USERNAME: "bob", ENV_PASSWORD: SECRET, "NETRC": "/home/bob/.netrc",
           "PLUGIN_PACKAGER_INDEX_URL": f"https://bob:{SECRET}@pkgs.example.com:8443/simple/",
           "PLUGIN_PACKAGER_EXTRA_INDEX_URL": "https://ann:other-pw@mirror.example.com/simple/",
           "UV_INDEX_URL": f"https://bob:{SECRET}@pkgs.example.com:8443/simple/",
           "PIP_EXTRA_INDEX_URL": "https://carl:carls-own@elsewhere.example.com/simple/",
           "NOTES": f"the password is {SECRET}", "PATH": "/usr/bin", "SHORT": "xy"}
    indexes = Indexes.parse(env["PLUGIN_PACKAGER_INDEX_URL"], [], [], tmp_path, env)
    clean = indexes.without_credentials(env)
    assert clean == {
        "PLUGIN_PACKAGER_INDEX_URL": "https://pkgs.example.com:8443/simple/",
        "PLUGIN_PACKAGER_EXTRA_INDEX_URL": "https://mirror.example.com/simple/",
        "UV_INDEX_URL": "https://pkgs.example.com:8443/simple/",
        # Not ours: the user's own setting for another host passes as given.
        "PIP_EXTRA_INDEX_URL": "https://carl:carls-own@elsewhere.example.com/simple/",
        "PATH": "/usr/bin", "SHORT": "xy",
    }
    # A password too short to search for still leaves the URLs that carry it.
    short = Indexes.parse("https://bob:xy@pkgs.example.com/simple/", [], [], tmp_path, {})
    assert short.without_credentials({"UV_INDEX_URL": "https://bob:xy@pkgs.example.com/s/",
                                      "SHORT": "xy"}) == {
        "UV_INDEX_URL": "https://pkgs.example.com/s/", "SHORT": "xy"}


def test_secret_file_is_readable_while_open_and_never_on_disk(tmp_path: Path) -> None:
    fallback = tmp_path / "uv.toml"
    with secret_file("index-url = 'x'\n", fallback) as path:
        assert path.read_text() == "index-url = 'x'\n"
        assert not fallback.exists()  # a memfd on Linux: no name in any directory
    assert not path.exists()


def test_without_memfd_the_secret_file_is_private_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr("os.memfd_create")
    fallback = tmp_path / "uv.toml"
    seen = []

    def uv_fails() -> None:
        with secret_file("x = 1\n", fallback) as path:
            seen.append((path, path.stat().st_mode & 0o777, path.read_text()))
            raise RuntimeError("uv failed")

    with pytest.raises(RuntimeError):
        uv_fails()
    assert seen == [(fallback, 0o600, "x = 1\n")]
    assert not fallback.exists()
