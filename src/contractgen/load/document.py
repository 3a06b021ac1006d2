"""A loaded OpenAPI document: its files, their data, references between them, positions.

The document is the only thing that reads spec files after the command line: it reads the
root file, reads referenced files on demand through its `Source` (the file system, or a git
revision), and refuses references that leave the spec's folder or name a URL (nothing here
ever opens a network connection).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from contractgen.errors import LoadError
from contractgen.load.collect import RefSite, is_schema_name, normalize_and_collect
from contractgen.load.parse import parse
from contractgen.load.positions import PositionIndex, positions_for
from contractgen.load.source import (
    DEFAULT_MAX_BYTES,
    FILE_SYSTEM,
    Source,
    display_path,
    read_text,
)
from contractgen.location import Location, join_pointer, split_pointer

SUPPORTED_VERSIONS = re.compile(r"3\.[012]\.\d+(-[0-9A-Za-z.-]+)?\Z")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|(urn|data|mailto):")
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
#: Files that sit beside specs but hold something else (configuration, prose, code): parsed
#: as YAML they fail in confusing ways, such as TOML being "more than one YAML document".
NOT_SPEC_SUFFIXES = frozenset(
    {".toml", ".ini", ".cfg", ".conf", ".md", ".markdown", ".rst", ".txt", ".adoc", ".html"}
    | {".htm", ".xml", ".csv", ".py", ".js", ".ts", ".sh", ".lock", ".proto", ".graphql"}
)
#: How many `$ref`s a chain of pure references may have before it is refused as too long.
MAX_REF_HOPS = 64


@dataclass(frozen=True, slots=True)
class LoadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    #: Follow file references outside the root file's folder. URLs are never fetched.
    allow_external_refs: bool = False


class RefError(Exception):
    """A reference that cannot be followed; reported as a finding where the cause is.

    `at` is the object holding the `$ref` that fails: the reference itself, or a link further
    down its chain. A `cycle` names its `members` (every reference on the loop); a too-long
    `chain` its `length` and, in `members`, where the chain ends.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        at: Location | None = None,
        members: tuple[Location, ...] = (),
        length: int = 0,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.at = at
        self.members = members
        self.length = length


@dataclass(eq=False)
class SourceFile:
    path: Path
    display: str
    text: str
    syntax: str
    data: Any
    refs: list[RefSite]
    """Every `$ref` that is a reference (not example data, not inside a vendor extension)."""
    mappings: list[RefSite] = field(default_factory=list)
    """Every `discriminator.mapping` value and `defaultMapping`: a schema name or reference."""
    extensions: list[RefSite] = field(default_factory=list)
    """Every `x-contract-*` member: where it stands and its name (in `target`)."""
    _positions: PositionIndex | None = field(default=None, repr=False)

    def locate(self, pointer: str) -> tuple[int, int]:
        if self._positions is None:
            self._positions = positions_for(self.text, self.syntax)
        return self._positions.locate(split_pointer(pointer))

    def location(self, pointer: str = "") -> Location:
        return Location(self.display, pointer)


@dataclass(frozen=True, slots=True)
class Resolved:
    location: Location
    value: Any


@dataclass(frozen=True, slots=True)
class _ChainEnd:
    """Where a chain of pure references ends, and how many references lead there."""

    resolved: Resolved
    length: int


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("$ref"), str)


class Document:
    """The root file, the files it references, and the OpenAPI version it declares."""

    def __init__(
        self, root: SourceFile, options: LoadOptions, source: Source = FILE_SYSTEM
    ) -> None:
        self.root = root
        self.options = options
        #: Where the root file came from, and so every file it references.
        self.source = source
        self.root_dir = root.path.parent
        self.files: dict[str, SourceFile] = {root.display: root}
        self._by_path: dict[Path, SourceFile] = {root.path: root}
        self.version: str = _check_version(root)
        self.version_tuple: tuple[int, int] = (3, int(self.version.split(".")[1]))
        self._schema_ids = SchemaIds()
        #: Per pure-reference node reached as a link of a chain: where the chain ends.
        self._chain_ends: dict[tuple[str, str], _ChainEnd | RefError] = {}

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.root.data
        return data

    def file(self, display: str) -> SourceFile:
        return self.files[display]

    def value_at(self, location: Location) -> Any:
        """The value a location points at (KeyError/IndexError if it is not there)."""
        return _walk(self.files[location.file].data, split_pointer(location.pointer))

    def resolve(self, ref: str, at: Location) -> Resolved:
        """Follow `ref`, written in the file of `at`, through any chain of pure references.

        A chain that loops raises `RefError("cycle")`; one longer than `MAX_REF_HOPS`
        references raises `RefError("chain")`. Each link's outcome is remembered, so
        resolving every reference of a long chain costs time linear in its length.
        """
        target = self._resolve_once(ref, at)
        if not _is_reference(target.value):
            return target
        end = self._chain_end(target)
        length = end.length + 1
        if length > MAX_REF_HOPS:
            raise RefError(
                "chain",
                f"$ref {ref!r} starts a chain longer than {MAX_REF_HOPS} references "
                f"({length}); point it at the definition itself",
                at=at,
                members=(end.resolved.location,),
                length=length,
            )
        return end.resolved

    def _chain_end(self, start: Resolved) -> _ChainEnd:
        """Where the chain of pure references starting at `start` ends, and how many it has."""
        links: list[tuple[str, str]] = []
        on_chain: dict[tuple[str, str], int] = {}
        target = start
        outcome: _ChainEnd | RefError
        while True:
            key = (target.location.file, target.location.pointer)
            known = self._chain_ends.get(key)
            if known is not None:
                outcome = known
                break
            if key in on_chain:
                loop = tuple(Location(*link) for link in links[on_chain[key] :])
                ref = target.value["$ref"]
                outcome = RefError(
                    "cycle", f"$ref {ref!r} loops back on itself", at=loop[0], members=loop
                )
                break
            on_chain[key] = len(links)
            links.append(key)
            try:
                target = self._resolve_once(target.value["$ref"], target.location)
            except RefError as error:
                outcome = error
                break
            if not _is_reference(target.value):
                outcome = _ChainEnd(target, 0)
                break
        for position, link in enumerate(reversed(links), start=1):
            self._chain_ends[link] = (
                outcome
                if isinstance(outcome, RefError)
                else _ChainEnd(outcome.resolved, outcome.length + position)
            )
        first = self._chain_ends[links[0]] if links else outcome
        if isinstance(first, RefError):
            raise first.with_traceback(None)  # one error per chain, raised for every reference
        return first

    def target(self, ref: str, at: Location) -> Resolved:
        """Where `ref` points, one hop only: a chain of pure references is not followed."""
        return self._resolve_once(ref, at)

    def deref(self, value: Any, at: Location) -> Resolved:
        """The object a value stands for: itself, or what its `$ref` points at."""
        if _is_reference(value):
            return self.resolve(value["$ref"], at)
        return Resolved(at, value)

    def ref_sites(self) -> Iterator[RefSite]:
        """Every `$ref` in every file loaded so far, including files loaded while iterating."""
        for source in self._files_as_loaded():
            yield from source.refs

    def mapping_sites(self) -> Iterator[RefSite]:
        """Every discriminator mapping value in every file loaded so far (see `ref_sites`)."""
        for source in self._files_as_loaded():
            yield from source.mappings

    def resolve_mapping(self, site: RefSite) -> Resolved:
        """What a discriminator mapping value names: a bare name is a root schema component."""
        if is_schema_name(site.target):
            pointer = join_pointer(("components", "schemas", site.target))
            return self.resolve(f"#{pointer}", self.root.location())
        return self.resolve(site.target, site.location)

    def _files_as_loaded(self) -> Iterator[SourceFile]:
        index = 0
        while index < len(self.files):
            yield list(self.files.values())[index]
            index += 1

    def locate(self, location: Location) -> Location:
        source = self.files.get(location.file)
        if source is None or location.line is not None:
            return location
        line, column = source.locate(location.pointer)
        return location.at(line, column)

    def _resolve_once(self, ref: str, at: Location) -> Resolved:
        """One hop; a failure names `at` as the reference that fails."""
        try:
            return self._hop(ref, at)
        except RefError as error:
            error.at = error.at or at
            raise

    def _hop(self, ref: str, at: Location) -> Resolved:
        if self.version_tuple >= (3, 1) and not ref.startswith("#"):
            found = self._schema_ids.resolve(self, ref, at)
            if found is not None:
                return found
        if _URL.match(ref):
            raise RefError(
                "url", f"$ref {ref!r} names a URL; contractgen never fetches remote references"
            )
        file_part, _, fragment = ref.partition("#")
        source = self.files[at.file] if not file_part else self._load_referenced(file_part, at)
        if fragment and not fragment.startswith("/"):
            raise RefError(
                "anchor", f"$ref {ref!r} uses a plain-name fragment, which is not supported"
            )
        try:
            tokens = split_pointer(fragment)
            value = _walk(source.data, tokens)
        except (KeyError, IndexError, TypeError, ValueError):
            where = f" in {source.display}" if file_part else ""
            raise RefError("missing", f"$ref {ref!r} points at nothing{where}") from None
        return Resolved(source.location(join_pointer(tokens)), value)

    def _load_referenced(self, file_part: str, at: Location) -> SourceFile:
        if "\x00" in file_part:  # a YAML or JSON escape; no file system or tree can hold it
            raise RefError("load", f"$ref {file_part!r} cannot be loaded: a NUL in a file name")
        base = self.files[at.file].path.parent
        path = self.source.locate(base / file_part)
        if path in self._by_path:
            return self._by_path[path]
        if not path.is_relative_to(self.root_dir):
            self._check_external(file_part, path)
        display = self.source.display(path)
        try:
            text = self.source.read(path, display, self.options.max_bytes)
            source = parse_source(path, display, text)
        except LoadError as exc:
            raise RefError("load", f"$ref {file_part!r} cannot be loaded: {exc.render()}") from None
        self.files[display] = source
        self._by_path[path] = source
        return source

    def _check_external(self, file_part: str, path: Path) -> None:
        """Refuse a file outside the spec's folder, unless allowed and its source allows it."""
        if not self.options.allow_external_refs:
            folder = self.source.display(self.root_dir)
            raise RefError(
                "outside",
                f"$ref {file_part!r} leaves the spec's folder {folder} "
                "(allow with --allow-external-refs)",
            )
        why = self.source.unreachable(path)
        if why is not None:
            raise RefError("outside", f"$ref {file_part!r} {why}")


class SchemaIds:
    """The `$id`s declared by Schema Objects (3.1+), indexed per file the first time one is asked.

    From 3.1 on, Schema Objects are JSON Schema 2020-12: a `$ref` may name a schema by the URI
    its `$id` declares (`https://example.com/schemas/pet`, or `pet` relative to an enclosing
    `$id`) instead of by its place in a file. Such a reference resolves inside the document's
    files (all of them are loaded before a URL is declared unknown, so the answer does not
    depend on the order references are followed in), never over the network. Fragment-only
    references (`#/components/...`) keep their document meaning, and a URI no `$id` declares
    is left to the file and URL rules.
    """

    _SKIPPED = frozenset({"example", "examples", "default", "const", "enum"})

    def __init__(self) -> None:
        self._by_uri: dict[str, Location] = {}
        #: Per file: the base URI each `$id` sets, by the pointer of the schema declaring it.
        self._bases: dict[str, dict[str, str]] = {}
        self._file_uris: dict[str, str] = {}
        self._loaded_all = False

    def resolve(self, document: Document, ref: str, at: Location) -> Resolved | None:
        """What `ref` names through a declared `$id`, or None when no `$id` matches."""
        self._index(document)
        base = self._base_at(document, at)
        # A URL, or any reference inside a schema with an `$id`; a relative file reference
        # elsewhere names an `$id` only if one is already known.
        by_uri = bool(_URL.match(ref)) or base != self._file_uris[at.file]
        if not by_uri and not self._by_uri:
            return None
        uri, fragment = urldefrag(urljoin(base, ref))
        if uri not in self._by_uri and by_uri and not self._loaded_all:
            self._loaded_all = True
            _load_every_referenced_file(document)
            self._index(document)
        schema = self._by_uri.get(uri)
        if schema is None:
            return None
        if fragment and not fragment.startswith("/"):
            raise RefError(
                "anchor", f"$ref {ref!r} uses a plain-name fragment, which is not supported"
            )
        tokens = [*split_pointer(schema.pointer), *split_pointer(fragment)]
        try:
            value = _walk(document.file(schema.file).data, tokens)
        except (KeyError, IndexError, TypeError, ValueError):
            raise RefError("missing", f"$ref {ref!r} points at nothing") from None
        return Resolved(Location(schema.file, join_pointer(tokens)), value)

    def _base_at(self, document: Document, at: Location) -> str:
        """The base URI at a location: its innermost enclosing `$id`, else its file's URI.

        One lookup per ancestor of the location (tokens hold no raw `/`), whatever the number
        of `$id`s: a scan of them all made 20k `$id`s quadratic.
        """
        bases = self._bases.get(at.file)
        pointer = at.pointer
        while bases:
            if pointer in bases:
                return bases[pointer]
            if not pointer:
                break
            pointer = pointer.rpartition("/")[0]
        return self._file_uris[at.file]

    def _index(self, document: Document) -> None:
        for display, source in list(document.files.items()):
            if display not in self._bases:
                self._file_uris[display] = source.path.absolute().as_uri()
                self._bases[display] = self._collect(source) if "$id" in source.text else {}

    def _collect(self, source: SourceFile) -> dict[str, str]:
        bases: dict[str, str] = {}
        stack: list[tuple[Any, tuple[str, ...], str]] = [
            (source.data, (), self._file_uris[source.display])
        ]
        while stack:
            node, path, base = stack.pop()
            if isinstance(node, list):
                stack.extend((v, (*path, str(i)), base) for i, v in enumerate(node))
                continue
            if not isinstance(node, dict):
                continue
            declared = node.get("$id")
            if isinstance(declared, str):
                base = urldefrag(urljoin(base, declared))[0]
                pointer = join_pointer(path)
                bases[pointer] = base
                self._by_uri.setdefault(base, source.location(pointer))
            for key, value in node.items():
                if key not in self._SKIPPED:
                    stack.append((value, (*path, key), base))
        return bases


def _load_every_referenced_file(document: Document) -> None:
    """Load each file the document references, directly or not (those that can be loaded)."""
    for site in document.ref_sites():
        file_part = site.target.partition("#")[0]
        if file_part and not _URL.match(file_part):
            with contextlib.suppress(RefError, OSError, ValueError):
                document._load_referenced(file_part, site.location)


def load_document(path: Path, options: LoadOptions | None = None) -> Document:
    """Load a root OpenAPI document; raises `LoadError` for anything that is not one."""
    options = options or LoadOptions()
    display = display_path(path)
    # Read through the path as given: `/dev/stdin` is a pipe, its /proc target a dead name.
    text = read_text(path, display, max_bytes=options.max_bytes)
    return root_document(parse_source(Path(os.path.realpath(path)), display, text), options)


def root_document(root: SourceFile, options: LoadOptions, source: Source = FILE_SYSTEM) -> Document:
    """The document a parsed root file starts; raises `LoadError` if it is not one."""
    if not isinstance(root.data, dict):
        raise LoadError(
            "LOAD009",
            "the document root must be a mapping (an OpenAPI Object)",
            root.display,
            1,
            1,
        )
    return Document(root, options, source)


def parse_source(path: Path, display: str, text: str) -> SourceFile:
    syntax = _syntax_of(path, display, text)
    try:
        data = parse(text, display, syntax=syntax)
    except LoadError as error:
        if path.suffix.lower() in SPEC_SUFFIXES or error.code not in ("LOAD006", "LOAD011"):
            raise
        hint = f"{path.name} has no .yaml, .yml or .json suffix: it may not be YAML or JSON"
        raise LoadError(
            error.code, f"{error.message} ({hint})", error.file, error.line, error.column
        ) from None
    source = SourceFile(path, display, text, syntax, data, [])
    normalize_and_collect(source)
    return source


def _syntax_of(path: Path, display: str, text: str) -> str:
    """JSON or YAML by the suffix; sniffed when the suffix says nothing either way."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in NOT_SPEC_SUFFIXES:
        message = (
            f"a {suffix} file is not YAML or JSON; contractgen reads OpenAPI documents from "
            ".yaml, .yml and .json files"
        )
        raise LoadError("LOAD013", message, display)
    return "json" if text.lstrip().startswith("{") else "yaml"


def _check_version(root: SourceFile) -> str:
    data = root.data
    if "swagger" in data:
        raise _version_error(
            root,
            "/swagger",
            f"Swagger {data['swagger']} is not supported; contractgen reads OpenAPI 3.0, 3.1 and "
            "3.2 (convert with swagger2openapi first)",
        )
    version = data.get("openapi")
    if version is None:
        raise _version_error(root, "", "not an OpenAPI document: no `openapi` field")
    if not isinstance(version, str):
        raise _version_error(
            root, "/openapi", f'`openapi` must be a string such as "3.1.0", not {version!r}'
        )
    if not SUPPORTED_VERSIONS.match(version):
        raise _version_error(
            root,
            "/openapi",
            f"unsupported OpenAPI version {version}; contractgen reads 3.0.x, 3.1.x and 3.2.x",
        )
    return version


def _version_error(root: SourceFile, pointer: str, message: str) -> LoadError:
    line, column = root.locate(pointer)
    return LoadError("LOAD010", message, root.display, line, column)


def _walk(data: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(data, list):
            if not token.isdigit():
                raise KeyError(token)
            data = data[int(token)]
        elif isinstance(data, dict):
            data = data[token]
        else:
            raise KeyError(token)
    return data
