"""One exception hierarchy; each kind carries its exit code and a hint saying what to do.

Every exit status the tool uses is listed in `ExitCode`, here and nowhere else.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    STALE = 1  # `yaml --check`: a generated file is out of date
    UNEXPECTED = 1  # an exception no check foresaw (a bug), as pypa/build exits
    CONFIG = 2  # bad input: command line, configuration, project files that cannot be read
    RESOLUTION = 3  # a dependency has no usable distribution for a target, or an index is unreachable
    BUILD = 4  # building or repairing a wheel failed
    CHECK_FAILED = 5  # a wagon, or the project against what was built, fails a check
    CHECK_SKIPPED = 6  # `validate`: a target this machine cannot run was not checked
    INSTALL = 7  # the installer refused a wagon's wheels
    PUBLISH = 8  # `publish`: the package index refused an upload


class PackagerError(Exception):
    """Base of every error the tool reports to its user."""

    exit_code: ExitCode = ExitCode.CONFIG

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type[PackagerError], tuple[str, str | None]]:
        # Raised in a worker process too (index reads wagons in a pool): keep the hint.
        return type(self), (self.message, self.hint)

    def one_line(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ConfigError(PackagerError):
    """Bad project, configuration or command-line input, or a project file that cannot be read."""

    exit_code = ExitCode.CONFIG


class TargetError(PackagerError):
    """A target cannot be built here: unknown platform, no interpreter."""

    exit_code = ExitCode.CONFIG


class ResolutionError(PackagerError):
    """Dependencies have no usable distribution for a target."""

    exit_code = ExitCode.RESOLUTION


class NetworkError(PackagerError):
    """A server cannot be reached (`publish`'s index); builds say so as a ResolutionError."""

    exit_code = ExitCode.RESOLUTION


class BuildError(PackagerError):
    """Building or repairing a wheel failed."""

    exit_code = ExitCode.BUILD


class ArchiveError(PackagerError):
    """A wagon is unsafe or malformed."""

    exit_code = ExitCode.CHECK_FAILED


class MismatchError(PackagerError):
    """The project disagrees with what was built: a plugin YAML names another package or
    version, a check of the built wagon failed."""

    exit_code = ExitCode.CHECK_FAILED


class SourceError(PackagerError):
    """The plugin's own code fails a check: a module does not compile for a target's Python."""

    exit_code = ExitCode.CHECK_FAILED


class InstallError(PackagerError):
    """The installer refused a wagon's wheels."""

    exit_code = ExitCode.INSTALL


class PublishError(PackagerError):
    """The package index refused an upload."""

    exit_code = ExitCode.PUBLISH


class StaleError(PackagerError):
    """A generated file differs from what its source generates (`--check`)."""

    exit_code = ExitCode.STALE
