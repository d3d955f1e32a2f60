"""The databorder exception tree.

::

    DataborderError             base; the CLI prints its one-line message and exits non-zero
    ├── UsageError              bad arguments or options (exit 2)
    ├── InputError              an input could not be read (exit 1, the rest is still scanned)
    │   ├── UnsupportedInputError   no reader recognises the source
    │   └── ReadError           malformed content: names the source and the line, row or field
    │       └── FactsError      a transfer, inventory or flows file for assess is malformed (exit 2)
    ├── DetectorError           a detector module is inconsistent (raised at discovery)
    ├── RulePackError           a bundled regime rule pack is inconsistent (names file and rule)
    ├── ReportError             a run document cannot be rendered (names the key at fault)
    └── StoreError              the run store cannot be opened, migrated, read or written

Messages never contain a raw scanned value: they name the file, line and field only.
"""

from __future__ import annotations


class DataborderError(Exception):
    """Base of every error databorder raises on purpose."""

    exit_code = 1


class UsageError(DataborderError):
    """The command line or a configuration value is wrong."""

    exit_code = 2


class InputError(DataborderError):
    """An input source could not be read."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class UnsupportedInputError(InputError):
    """No reader recognises the source."""


class ReadError(InputError):
    """The content of a source is malformed at a known place."""

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.line = line
        self.field = field
        where = source
        if line is not None:
            where += f":{line}"
        if field is not None:
            where += f" field {field!r}"
        InputError.__init__(self, source, reason)
        Exception.__init__(self, f"{where}: {reason}")


class FactsError(ReadError):
    """A facts file for ``assess`` (transfers, inventory, flows) is malformed: a usage error."""

    exit_code = 2


class DetectorError(DataborderError):
    """A detector module is inconsistent."""


class RulePackError(DataborderError):
    """A regime rule pack is inconsistent (unknown fact, missing citation...)."""


class ReportError(DataborderError):
    """A run document is malformed or a report format is unknown."""


class StoreError(DataborderError):
    """The run store cannot be opened, migrated, read or written (the URL's password hidden)."""
