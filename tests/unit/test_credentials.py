"""Index credentials: where they come from, and that no URL, repr or message carries them."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager.build.config import load_options
from packager.build.credentials import ENV_PASSWORD, ENV_USERNAME, find_credential, redact
from packager.build.indexes import Indexes
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
    assert indexes.netrc() == f"machine pkgs.example.com login bob password {SECRET}\n"
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
    assert options.indexes.netrc() == f"machine pkgs.example.com login dave password {SECRET}\n"
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
