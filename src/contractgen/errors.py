"""User-facing errors: bad input or bad usage, never a bug.

Anything raised as `ContractgenError` is printed as one line, `file:line:col: CODE message`,
and the process exits with status 2. Everything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractgen.printable import printable

#: Stable codes for input and usage errors. Documented in docs/errors.md.
LOAD_ERROR_CODES: dict[str, str] = {
    "LOAD001": "file not found",
    "LOAD002": "path is a directory, not a file",
    "LOAD003": "file is larger than the size limit",
    "LOAD004": "file is not valid UTF-8 text",
    "LOAD005": "file is empty",
    "LOAD006": "YAML or JSON syntax error",
    "LOAD007": "duplicate mapping key",
    "LOAD008": "alias expansion, nesting or number too large",
    "LOAD009": "document root is not a mapping",
    "LOAD010": "unsupported OpenAPI version",
    "LOAD011": "more than one YAML document in a file",
    "LOAD012": "file cannot be read",
    "LOAD013": "file is not YAML or JSON",
    "LOAD014": "git revision cannot be read",
    "USAGE001": "no input files matched",
    "USAGE002": "invalid configuration",
    "USAGE003": "invalid baseline file",
    "USAGE004": "output file cannot be written",
    "USAGE005": "invalid scaffold option",
    "USAGE006": "invalid mock option",
    "USAGE007": "invalid verify option",
    "SCAF001": "a template cannot be rendered",
    "SCAF002": "generated code does not parse",
    "EXPORT001": "nothing to export",
    "EXPORT002": "a reference in an exported schema cannot be followed",
    "EXPORT003": "a value in an exported schema cannot be written as JSON",
    "EXPORT004": "an operationId names more than one operation",
    "MOCK001": "the mock cannot listen on the address",
    "MOCK002": "the contract has no operations to serve",
    "VERIFY001": "the server cannot be reached",
    "VERIFY002": "invalid latency baseline file",
    "VERIFY003": "no operation is selected to verify",
}


@dataclass(eq=False)
class ContractgenError(Exception):
    """An error the user can fix; reported without a traceback and exit status 2."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def __reduce__(
        self,
    ) -> tuple[type[ContractgenError], tuple[str, str, str | None, int | None, int | None]]:
        # Rebuild from fields, not from the rendered message, when sent between processes.
        return (type(self), (self.code, self.message, self.file, self.line, self.column))

    def render(self) -> str:
        """The one line, with control characters from the input escaped (see `printable`)."""
        where = ""
        if self.file is not None:
            where = printable(self.file)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.code} {printable(self.message)}"


class LoadError(ContractgenError):
    """A spec file could not be read or parsed."""


class UsageError(ContractgenError):
    """Command-line arguments or configuration are invalid."""
