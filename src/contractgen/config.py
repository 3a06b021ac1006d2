"""Configuration: which rules run, their levels, accepted findings, and a few CLI defaults.

Read from `--config FILE`, or else from the nearest `.contractgen.yaml` or `pyproject.toml`
with a `[tool.contractgen]` table, searching upward from the working directory and stopping
at the repository root (the folder holding `.git`). Every mistake is USAGE002 naming the file
and the key; YAML also gives the line (tomllib does not keep positions).

The `diff` table (`[tool.contractgen.diff]`) holds what `contractgen diff` reads: `ignore`
entries accepting known changes (see `diff.accept`), `fail-on` and `check-version`. An ignore
file (`diff --ignore FILE`) is a YAML list of the same entries, read by `read_ignore_file`.
"""

from __future__ import annotations

import datetime
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractgen.diff.accept import AcceptedChange, operation_key
from contractgen.diff.registry import diff_catalogue, find_diff_rule
from contractgen.errors import LoadError, UsageError
from contractgen.load.parse import MAX_INTEGER_DIGITS, parse_yaml
from contractgen.load.positions import PositionIndex, positions_for
from contractgen.load.source import display_path, read_bytes
from contractgen.report.finding import Level
from contractgen.validate.engine import Ignore, RuleSettings
from contractgen.validate.registry import catalogue, find_rule
from contractgen.validate.selection import Selection, unknown_selector

YAML_NAME = ".contractgen.yaml"
PYPROJECT_NAME = "pyproject.toml"
KEYS = ("select", "ignore", "rules", "fail-on", "allow-external-refs", "diff")
IGNORE_KEYS = ("rule", "pointer", "reason", "file")
DIFF_KEYS = ("ignore", "fail-on", "check-version")
DIFF_IGNORE_KEYS = ("rule", "operation", "pointer", "reason", "until")
#: What a diff entry may name; it needs one at least.
DIFF_MATCHERS = ("rule", "operation", "pointer")
DIFF_LEVELS = (Level.BREAKING, Level.WARNING, Level.INFO)
OFF = "off"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class DiffSettings:
    """The `diff` table: accepted changes and defaults for `diff`'s options."""

    accepted: tuple[AcceptedChange, ...] = ()
    fail_on: Level | None = None
    check_version: bool | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Rule settings plus the defaults configuration may give command-line options."""

    settings: RuleSettings = field(default_factory=RuleSettings)
    #: `select` and the plain-string `ignore` entries: the rules that run, before `rules: off`.
    selection: Selection = field(default_factory=Selection)
    fail_on: Level | None = None
    allow_external_refs: bool | None = None
    diff: DiffSettings = field(default_factory=DiffSettings)
    #: The file the configuration came from, or None when none was found.
    source: Path | None = None


def load_config(explicit: Path | None = None, *, start: Path | None = None) -> Config:
    """The configuration `explicit` names, or the one found from `start` (default: cwd)."""
    path = explicit if explicit is not None else find_config(start or Path.cwd())
    if path is None:
        return Config()
    table, where = _read(path)
    return _Parser(path, where).config(table)


def read_ignore_file(path: Path) -> tuple[AcceptedChange, ...]:
    """The entries of an ignore file: a YAML list of `diff.ignore` entries (empty: none)."""
    entries, where = _read_yaml(path, _read_text(path))
    if entries == {}:  # an empty file
        return ()
    return _Parser(path, where).accepted_changes(entries, ())


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above `start`, not above the repository root."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / YAML_NAME
        if candidate.is_file():
            return candidate
        candidate = folder / PYPROJECT_NAME
        if candidate.is_file() and _has_tool_table(candidate):
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        data = _parse_toml(_read_text(path), path)
    except UsageError:
        return True  # broken: select it anyway so the user hears why
    return isinstance(data.get("tool"), dict) and "contractgen" in data["tool"]


class _Positions:
    """Where a key path sits in the file, when the format keeps positions (YAML does).

    The loader's position index answers, built only when an error is reported.
    """

    def __init__(self, prefix: str, yaml_text: str | None = None) -> None:
        self.prefix = prefix
        self._yaml_text = yaml_text
        self._index: PositionIndex | None = None

    def name(self, path: KeyPath) -> str:
        parts = [self.prefix] if self.prefix else []
        for part in path:
            if isinstance(part, int):
                parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
            else:
                parts.append(part)
        return ".".join(parts) or "(top level)"

    def at(self, path: KeyPath) -> tuple[int, int] | tuple[None, None]:
        if self._yaml_text is None:
            return None, None
        if self._index is None:
            self._index = positions_for(self._yaml_text, "yaml")
        return self._index.locate([str(part) for part in path])


def _read(path: Path) -> tuple[Any, _Positions]:
    text = _read_text(path)
    if path.suffix == ".toml":
        return _read_toml(path, text)
    return _read_yaml(path, text)


def _read_text(path: Path) -> str:
    """The file's text: a regular file only, up to the default size limit (a FIFO never hangs)."""
    display = display_path(path)
    try:
        raw = read_bytes(path, display)
    except LoadError as error:
        if error.code == "LOAD001":
            raise UsageError("USAGE002", "configuration file not found", display) from None
        raise UsageError(
            "USAGE002", f"cannot read configuration: {error.message}", display
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"cannot read configuration: not UTF-8 (byte 0x{raw[exc.start]:02x})"
        raise UsageError("USAGE002", message, display) from None


def _read_toml(path: Path, text: str) -> tuple[Any, _Positions]:
    data = _parse_toml(text, path)
    tool = data.get("tool")
    if isinstance(tool, dict) and "contractgen" in tool:
        return tool["contractgen"], _Positions("tool.contractgen")
    if path.name == PYPROJECT_NAME:
        raise UsageError("USAGE002", "no [tool.contractgen] table", display_path(path))
    return data, _Positions("")


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = str(exc)
    except RecursionError:  # tomllib recurses once per nested array or inline table
        problem = "nested too deeply"
    except ValueError:  # int() refused a number past the interpreter's digit limit
        problem = f"integer with more than {MAX_INTEGER_DIGITS} digits"
    raise UsageError("USAGE002", f"invalid TOML: {problem}", display_path(path))


def _read_yaml(path: Path, text: str) -> tuple[Any, _Positions]:
    """The loader's YAML parser, with its limits on nesting, aliases and duplicate keys."""
    display = display_path(path)
    try:
        data = parse_yaml(text, display) if text.strip() else None
    except LoadError as error:
        raise UsageError("USAGE002", error.message, display, error.line, error.column) from None
    return ({} if data is None else data), _Positions("", text)


class _Parser:
    """Checks the configuration table key by key, turning it into a `Config`."""

    def __init__(self, path: Path, where: _Positions) -> None:
        self.path = path
        self.where = where

    def config(self, table: Any) -> Config:
        table = self._mapping(table, ())
        self._known_keys(table, KEYS, ())
        levels, disabled = self._rules(table.get("rules", {}))
        fail_on = table.get("fail-on")
        allow = table.get("allow-external-refs")
        if fail_on is not None:
            fail_on = self._level(fail_on, ("fail-on",), allow_off=False)
        if allow is not None and not isinstance(allow, bool):
            raise self._error(
                ("allow-external-refs",), f"must be true or false, not {_shown(allow)}"
            )
        ignores, ignored_rules = self._ignores(table.get("ignore", []))
        selection = Selection(self._select(table.get("select")), ignored_rules)
        settings = RuleSettings(levels=levels, disabled=frozenset(disabled), ignores=ignores)
        diff = self._diff(table["diff"]) if "diff" in table else DiffSettings()
        return Config(settings, selection, fail_on, allow, diff, self.path)

    def _diff(self, table: Any) -> DiffSettings:
        table = self._mapping(table, ("diff",))
        self._known_keys(table, DIFF_KEYS, ("diff",))
        fail_on = table.get("fail-on")
        if fail_on is not None:
            fail_on = self._change_level(fail_on, ("diff", "fail-on"))
        check = table.get("check-version")
        if check is not None and not isinstance(check, bool):
            raise self._error(
                ("diff", "check-version"), f"must be true or false, not {_shown(check)}"
            )
        accepted = self.accepted_changes(table.get("ignore", []), ("diff", "ignore"))
        return DiffSettings(accepted, fail_on, check)

    def _change_level(self, value: Any, path: KeyPath) -> Level:
        choices = [level.value for level in DIFF_LEVELS]
        if isinstance(value, str) and value in choices:
            return Level(value)
        raise self._error(path, f"{_shown(value)} is not one of {', '.join(choices)}")

    def accepted_changes(self, entries: Any, path: KeyPath) -> tuple[AcceptedChange, ...]:
        """Ignore entries for diff: each a table naming a rule, operation or pointer."""
        if not isinstance(entries, list):
            raise self._error(
                path, "must be a list of {rule, operation, pointer, reason, until} entries"
            )
        return tuple(self._accepted(entry, (*path, index)) for index, entry in enumerate(entries))

    def _accepted(self, entry: Any, path: KeyPath) -> AcceptedChange:
        if not isinstance(entry, dict):
            raise self._error(path, "must be a {rule, operation, pointer, reason, until} table")
        self._known_keys(entry, DIFF_IGNORE_KEYS, path)
        if not any(key in entry for key in DIFF_MATCHERS):
            raise self._error(path, "needs a `rule`, an `operation` or a `pointer` to match")
        for key in ("reason", *(key for key in DIFF_MATCHERS if key in entry)):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                hint = ": say why the change is accepted" if key == "reason" else ""
                raise self._error(path, f"needs a non-empty `{key}` string{hint}")
        pointer = entry.get("pointer")
        if pointer is not None and not pointer.startswith("/"):
            raise self._error(
                (*path, "pointer"), f"{pointer!r} is not a JSON Pointer (it starts with '/')"
            )
        rule = entry.get("rule")
        operation = entry.get("operation")
        return AcceptedChange(
            reason=entry["reason"],
            source=self._source(path),
            rule=self._diff_rule_id(rule, (*path, "rule")) if rule is not None else None,
            operation=operation_key(operation) if operation is not None else None,
            pointer=pointer,
            until=self._date(entry["until"], (*path, "until")) if "until" in entry else None,
        )

    def _diff_rule_id(self, key: str, path: KeyPath) -> str:
        rule = find_diff_rule(key)
        if rule is None:
            names = [*diff_catalogue(), *(rule.name for rule in diff_catalogue().values())]
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self._error(
                path,
                f"unknown diff rule {_shown(key)}{hint}; `contractgen rules --diff` lists them",
            )
        return rule.id

    def _date(self, value: Any, path: KeyPath) -> datetime.date:
        """A calendar date: TOML's own, or YAML's `2025-06-30` (read as text)."""
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self._error(path, f"{_shown(value)} is not a date such as 2025-06-30")

    def _source(self, path: KeyPath) -> str:
        """Where an entry is written, for the messages that name it later."""
        display = display_path(self.path)
        line, column = self.where.at(path)
        if line is None:
            return f"{display} ({self.where.name(path)})"
        return f"{display}:{line}:{column}"

    def _select(self, selectors: Any) -> tuple[str, ...] | None:
        if selectors is None:
            return None
        if not isinstance(selectors, list):
            raise self._error(("select",), "must be a list of rule ids, prefixes or names")
        for index, selector in enumerate(selectors):
            self._selector(selector, ("select", index))
        return tuple(selectors)

    def _selector(self, selector: Any, path: KeyPath) -> None:
        if not isinstance(selector, str) or not selector.strip():
            raise self._error(path, f"{_shown(selector)} is not a rule id, prefix or name")
        problem = unknown_selector(selector, catalogue().values())
        if problem is not None:
            raise self._error(path, problem)

    def _rules(self, rules: Any) -> tuple[dict[str, Level], set[str]]:
        rules = self._mapping(rules, ("rules",))
        levels: dict[str, Level] = {}
        disabled: set[str] = set()
        for key, value in rules.items():
            rule_id = self._rule_id(key, ("rules", key))
            level = self._level(value, ("rules", key), allow_off=True)
            if level is None:
                disabled.add(rule_id)
            else:
                levels[rule_id] = level
        return levels, disabled

    def _ignores(self, entries: Any) -> tuple[tuple[Ignore, ...], tuple[str, ...]]:
        """Accepted findings (the tables) and rules that do not run (the plain strings)."""
        if not isinstance(entries, list):
            raise self._error(
                ("ignore",), "must be a list of rule selectors and {rule, pointer, reason} entries"
            )
        ignores: list[Ignore] = []
        rules: list[str] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                self._selector(entry, ("ignore", index))
                rules.append(entry)
            else:
                ignores.append(self._ignore(entry, ("ignore", index)))
        return tuple(ignores), tuple(rules)

    def _ignore(self, entry: Any, path: KeyPath) -> Ignore:
        if not isinstance(entry, dict):
            raise self._error(
                path, "must be a rule selector (a string) or a {rule, pointer, reason} table"
            )
        self._known_keys(entry, IGNORE_KEYS, path)
        for required in ("rule", "pointer", "reason"):
            if not isinstance(entry.get(required), str) or not entry[required].strip():
                raise self._error(
                    path,
                    f"needs a non-empty `{required}` string"
                    + (": say why the finding is accepted" if required == "reason" else ""),
                )
        pointer = entry["pointer"]
        if pointer and not pointer.startswith("/"):
            raise self._error(
                (*path, "pointer"), f"{pointer!r} is not a JSON Pointer (it starts with '/')"
            )
        file = entry.get("file")
        if file is not None and not isinstance(file, str):
            raise self._error((*path, "file"), "must be a string")
        rule_id = self._rule_id(entry["rule"], (*path, "rule"))
        return Ignore(rule_id, pointer, entry["reason"], file)

    def _rule_id(self, key: Any, path: KeyPath) -> str:
        rule = find_rule(str(key))
        if rule is None:
            hint = _suggest(str(key))
            raise self._error(
                path, f"unknown rule {_shown(key)}{hint}; `contractgen rules` lists them"
            )
        return rule.id

    def _level(self, value: Any, path: KeyPath, *, allow_off: bool) -> Level | None:
        choices = [level.value for level in Level if level is not Level.BREAKING]
        choices += [OFF] if allow_off else []
        if allow_off and (value == OFF or value is False):  # YAML 1.1 reads a bare off as false
            return None
        if isinstance(value, str) and value in choices:
            return Level(value)
        raise self._error(path, f"{_shown(value)} is not one of {', '.join(choices)}")

    def _mapping(self, value: Any, path: KeyPath) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._error(path, "must be a table (a mapping)")
        return value

    def _known_keys(self, table: dict[str, Any], known: tuple[str, ...], path: KeyPath) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self._error(
                    (*path, str(key)), f"unknown key{hint}; known keys: {', '.join(known)}"
                )

    def _error(self, path: KeyPath, message: str) -> UsageError:
        line, column = self.where.at(path)
        message = f"`{self.where.name(path)}`: {message}"
        return UsageError("USAGE002", message, display_path(self.path), line, column)


def _suggest(key: str) -> str:
    names = [*catalogue(), *(rule.name for rule in catalogue().values())]
    close = difflib.get_close_matches(key, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shown(value: Any) -> str:
    """A value as a message quotes it; TOML integers may be too long to print in decimal."""
    try:
        return repr(value)
    except ValueError:
        if isinstance(value, int):
            return f"an integer of {value.bit_length()} bits"
        return f"a {type(value).__name__} holding an integer too long to print"
