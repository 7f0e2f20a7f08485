"""One exception hierarchy; each kind carries its exit code and a hint saying what to do."""

from __future__ import annotations


class PackagerError(Exception):
    """Base of every error the tool reports to its user."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ConfigError(PackagerError):
    """Bad project, configuration or command-line input."""

    exit_code = 2


class TargetError(PackagerError):
    """A target cannot be built here: unknown platform, no interpreter."""

    exit_code = 2


class ResolutionError(PackagerError):
    """Dependencies have no usable distribution for a target."""

    exit_code = 3


class BuildError(PackagerError):
    """Building or repairing a wheel failed."""

    exit_code = 4


class ArchiveError(PackagerError):
    """A wagon is unsafe or malformed, or it or a plugin YAML disagrees with what was built."""

    exit_code = 5


class InstallError(PackagerError):
    """The installer refused a wagon's wheels."""

    exit_code = 7


class PublishError(PackagerError):
    """The package index refused an upload."""

    exit_code = 8


class StaleError(PackagerError):
    """A generated file differs from what its source generates (`--check`)."""

    exit_code = 1
