"""Load YAML keeping the line and column of every key and item.

Pydantic reports errors by path (``steps.1.send.template``); this module maps such
a path back to where it is written, so every message can say file:line:col.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)
from ruamel.yaml.reader import ReaderError

from tact.diagnostics import Diagnostic, ProjectError

Position = tuple[int, int]  # 1-based line, column

# Limits for every YAML file Tact reads (journeys, templates, settings, samples): far above
# any real file, far below what hurts. Checked on the parser's event stream (which is
# iterative) before anything is built, so a hostile file costs one linear pass.
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64  # nested mappings and lists; a split inside a split adds about four
MAX_VALUES = 200_000  # values once aliases are expanded (a 370-byte "billion laughs")
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}"
                       for t in ("str", "int", "float", "bool", "null", "map", "seq"))


@dataclass
class YamlDocument:
    path: Path
    data: Any
    positions: dict[tuple[Any, ...], Position] = field(default_factory=dict)
    values: dict[tuple[Any, ...], Position] = field(default_factory=dict)  # where a value starts

    def lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []

    def locate_in_value(self, loc: Sequence[Any], offset: int, text: str) -> Position:
        """file position of character ``offset`` of the string value at ``loc``."""
        start = self.values.get(tuple(loc))
        if start is None:
            return self.locate(loc)
        line, col = start
        lines = self.lines()
        before = text[:offset]
        newlines = before.count("\n")
        indicator = lines[line - 1][col - 1:col] if 0 < line <= len(lines) else ""
        if indicator in ("|", ">"):  # block scalar: content starts on the next line
            content = line + 1 + newlines
            first = next((x for x in lines[line:] if x.strip()), "")
            indent = len(first) - len(first.lstrip(" "))  # the block's indentation
            return content, indent + 1 + len(before.rsplit("\n", 1)[-1])
        quote = 1 if indicator in ('"', "'") else 0
        if newlines:
            return line + newlines, 1 + len(before.rsplit("\n", 1)[-1])
        return line, col + quote + offset

    def locate(self, loc: Sequence[Any]) -> Position:
        """Position of the deepest existing node along ``loc`` (skipping union tags)."""
        path: tuple[Any, ...] = ()
        node, best = self.data, self.positions.get((), (1, 1))
        for index, part in enumerate(loc):
            after = loc[index + 1] if index + 1 < len(loc) else None
            in_map = isinstance(node, dict) and part in node
            if in_map and after in node and not (isinstance(node[part], dict)
                                                 and after in node[part]):
                continue  # a union tag that is also a key here (`if`): the next part is ours
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if in_map or in_list:
                node, path = node[part], (*path, part)
            else:
                continue  # a discriminator tag or a missing key: stay on the parent
            best = self.positions.get(path, best)
        return best

    def error(self, loc: Sequence[Any], message: str, hint: str = "") -> Diagnostic:
        line, col = self.locate(loc)
        return Diagnostic(str(self.path), line, col, message, hint)


def _plain(node: Any, path: tuple[Any, ...], positions: dict[tuple[Any, ...], Position],
           values: dict[tuple[Any, ...], Position]) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            positions[(*path, key)] = (line + 1, col + 1)
            try:
                vline, vcol = node.lc.value(key)
                values[(*path, str(key))] = (vline + 1, vcol + 1)
            except (KeyError, TypeError):
                pass
            out[str(key)] = _plain(value, (*path, str(key)), positions, values)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*path, index)] = (line + 1, col + 1)
            out_list.append(_plain(value, (*path, index), positions, values))
        return out_list
    if isinstance(node, str):
        return str(node)
    return node


def _at(path: Path, text: str, index: int, message: str, hint: str) -> ProjectError:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return ProjectError([Diagnostic(str(path), line, col, message, hint)])


def _marked(path: Path, mark: Any, message: str, hint: str) -> ProjectError:
    return ProjectError([Diagnostic(str(path), mark.line + 1, mark.column + 1, message, hint)])


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _screen(path: Path, text: str) -> None:
    """Refuse what no journey file needs and a hostile one uses: NUL and other control
    characters, custom tags (``!!python/object``...), nesting past MAX_DEPTH, aliases that
    expand past MAX_VALUES. Linear in the file; nothing is built."""
    nul = text.find("\x00")
    if nul >= 0:
        raise _at(path, text, nul, "NUL byte in the file", "remove it: save the file as text")
    anchored: dict[str, int] = {}  # anchor -> values it stands for, expanded
    open_at: list[tuple[str | None, int]] = []  # open collections: anchor, count at start
    values = 0
    for event in YAML(typ="safe", pure=True).parse(text):  # no comment keeping: faster
        mark = event.start_mark
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in PLAIN_TAGS:
            raise _marked(path, mark, f"YAML tag {_tag_name(str(tag))} is not allowed",
                          "remove the tag: journey files hold plain text, numbers, lists "
                          "and mappings")
        if isinstance(event, AliasEvent):
            values += anchored.get(str(event.anchor), 1)
        elif isinstance(event, CollectionStartEvent):
            open_at.append((event.anchor, values))
            values += 1
            if len(open_at) > MAX_DEPTH:
                raise _marked(path, mark, f"nested more than {MAX_DEPTH} levels deep",
                              "flatten the file: no journey needs this much nesting")
        elif isinstance(event, CollectionEndEvent):
            anchor, start = open_at.pop()
            if anchor:
                anchored[str(anchor)] = values - start
        elif isinstance(event, NodeEvent):  # a scalar
            values += 1
            if event.anchor:
                anchored[str(event.anchor)] = 1
        if values > MAX_VALUES:
            raise _marked(path, mark, f"more than {MAX_VALUES:,} values once aliases (*name) "
                          "are expanded", "write the values out, or use fewer aliases")


def load_yaml(path: Path) -> YamlDocument:
    yaml = YAML(typ="rt")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ProjectError([Diagnostic(
                str(path), 1, 1, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                "split it: one journey, template or settings file each")])
        text = path.read_text(encoding="utf-8")
        _screen(path, text)
        raw = yaml.load(text)
    except ReaderError as err:  # a control character YAML does not allow
        raise _at(path, text, max(int(err.position), 0), f"invalid YAML: character "
                  f"{err.character!r} is not allowed", "remove it: save the file as text"
                  ) from None
    except RecursionError:  # past the screen's depth limit only if Python's is lower
        raise ProjectError([Diagnostic(str(path), 1, 1, "nested too deeply",
                                       "flatten the file")]) from None
    except OSError as err:
        raise ProjectError([Diagnostic(str(path), 1, 1, f"cannot read the file: "
                                       f"{err.strerror or err}", "check the path")]) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = err.problem or err.context or "invalid YAML"
        raise ProjectError(
            [Diagnostic(str(path), line, col, f"invalid YAML: {problem}",
                        "check indentation and quoting at this place")]
        ) from None
    except UnicodeDecodeError:
        raise ProjectError(
            [Diagnostic(str(path), 1, 1, "file is not UTF-8 text", "save it as UTF-8")]
        ) from None
    positions: dict[tuple[Any, ...], Position] = {(): (1, 1)}
    values: dict[tuple[Any, ...], Position] = {}
    data = _plain(raw, (), positions, values)
    if isinstance(data, dict) and data:  # a whole-file error points at its first key
        positions[()] = positions[(next(iter(data)),)]
    return YamlDocument(path, data, positions, values)
