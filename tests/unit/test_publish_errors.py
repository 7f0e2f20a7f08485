"""publish's one-line reading of twine's output (captured from twine 7 runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager._tools import ToolFailure
from packager.errors import ConfigError, ExitCode, NetworkError, PublishError
from packager.site.publish import _upload_error, publish, twine_says

WRAPPED = """Uploading distributions to http://127.0.0.1:1/
\x1b[34mINFO    \x1b[0m /tmp/pytest-of-root/pytest-128/test_no_credentials_is_one_con0/dist/dem
         o_plugin-0.1.0-py3-none-any.whl (0.5 KB)
\x1b[34mINFO    \x1b[0m Querying keyring for username
\x1b[31mERROR   \x1b[0m NonInteractive: Credential not found for
         username.
"""

TRACEBACK = """Uploading distributions to http://127.0.0.1:9/legacy/
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/requests/adapters.py", line 729, in send
    raise ConnectionError(e, request=request)
requests.exceptions.ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries \
exceeded with url: /legacy/ (Caused by NewConnectionError("HTTPConnection(host='127.0.0.1', \
port=9): Failed to establish a new connection: [Errno 111] Connection refused"))
"""


def _error(output: str) -> ConfigError | NetworkError | PublishError:
    error = _upload_error(ToolFailure(["twine"], output), "demo", "1.0", "http://idx/",
                          {"TWINE_PASSWORD": "s3cret-token"})
    assert isinstance(error, (ConfigError, NetworkError, PublishError))
    return error


def test_a_record_rich_wrapped_is_one_line_again() -> None:
    assert twine_says(WRAPPED) == "NonInteractive: Credential not found for username."
    error = _error(WRAPPED)
    assert error.exit_code == ExitCode.CONFIG
    assert error.message == ("no credentials to upload demo 1.0 to http://idx/: no username in"
                             " TWINE_USERNAME or keyring")


def test_an_uncaught_connection_error_is_a_network_line_not_a_traceback() -> None:
    assert twine_says(TRACEBACK).startswith("requests.exceptions.ConnectionError: ")
    error = _error(TRACEBACK)
    assert error.exit_code == ExitCode.RESOLUTION
    assert error.message == "cannot reach http://idx/ to upload demo 1.0: Connection refused"


def test_other_failures_keep_twines_last_error_redacted() -> None:
    output = "\x1b[31mERROR   \x1b[0m InvalidDistribution: bad s3cret-token\n         file\n"
    error = _error(output)
    assert error.exit_code == ExitCode.PUBLISH
    assert error.message == "uploading demo 1.0 to http://idx/ failed: InvalidDistribution: bad **** file"


def test_the_url_is_shown_by_the_one_redaction_whatever_it_holds(tmp_path: Path) -> None:
    """publish showed its URL through a mask of its own, which rebuilt it from urllib's parts:
    a port that is not a number was a ValueError traceback before any check ran."""
    (tmp_path / "dist").mkdir()
    with pytest.raises(ConfigError, match="no sdist or wheel in"):
        publish(tmp_path, "https://bob:pw@[::1]:port/legacy/", {}, tmp_path / "dist")
