"""The fast path of the JSON Lines reader: Arrow parses a chunk of lines, and its nested columns
are flattened into the same string cells :func:`databorder.sources.json.flatten` gives.

Arrow's JSON parser is multi-threaded C++ (about 5x the pure-Python path even on one core), but it
types values: numbers become int64 or double, some strings timestamps, and it refuses shapes the
Python path accepts. So:

* strings that Arrow would read as timestamps are parsed as strings (an explicit schema, learnt
  as such fields turn up, asks for them); the types found in one chunk are imposed on the next,
  which saves Arrow's inference; a chunk that does not fit them is parsed again with inference;
* int64 columns render every digit; a double column renders integral values below 2**53 as
  integers and other values with Arrow's shortest round-trip text (``12.50`` becomes ``12.5``);
  integers beyond int64 arrive as doubles of 2**53 or more, which could have lost digits;
* anything the flattening here cannot render exactly as the Python path does raises
  :class:`UnsupportedChunkError` and the caller reads that chunk in Python instead: non-object
  lines, a field that changes type, doubles of 2**53 or more, NaN, lists longer than
  :data:`MAX_INDEXED_ITEMS` or holding lists or nulls among objects, two fields flattening to
  the same name, invalid UTF-8, duplicate keys.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

MAX_INDEXED_ITEMS = 100
EXACT_DOUBLE_LIMIT = 2.0**53
"""Doubles at or above this may be integers that lost digits on the way through Arrow."""
ARROW_BLOCK_BYTES = 1 << 20

Columns = dict[str, pa.Array]

_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'))
_CONTROL_ESCAPES = (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f"))


class UnsupportedChunkError(Exception):
    """This chunk cannot go through the Arrow path; read it in Python."""


def read_lines(data: bytes, explicit: pa.Schema | None) -> pa.Table:
    """Parse whole JSON lines; ``explicit`` fixes the types of some fields (others inferred)."""
    options = pj.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="infer")
    read = pj.ReadOptions(block_size=ARROW_BLOCK_BYTES)
    try:
        table = pj.read_json(pa.BufferReader(data), read_options=read, parse_options=options)
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        # The message may quote the input; the caller re-reads the chunk and names the line.
        raise UnsupportedChunkError from exc
    return table.combine_chunks()


def timestamps_as_strings(schema: pa.Schema) -> pa.Schema | None:
    """The part of ``schema`` leading to timestamp fields, with those fields as strings."""
    fields = [pa.field(f.name, kept) for f in schema if (kept := _strings_for(f.type))]
    return pa.schema(fields) if fields else None


def known_types(schema: pa.Schema) -> pa.Schema | None:
    """``schema`` as an explicit schema for the next chunk, which parses it about a third faster:
    without null types, empty objects and lists of nulls, which the next chunk may fill."""
    fields = [pa.field(f.name, kept) for f in schema if (kept := _settled(f.type))]
    return pa.schema(fields) if fields else None


def _settled(kind: pa.DataType) -> pa.DataType | None:
    if pa.types.is_null(kind):
        return None
    if pa.types.is_struct(kind):
        kept = [pa.field(f.name, t) for f in kind if (t := _settled(f.type))]
        return pa.struct(kept) if kept else None
    if pa.types.is_list(kind):
        item = _settled(kind.value_type)
        return pa.list_(item) if item else None
    return kind


def _strings_for(kind: pa.DataType) -> pa.DataType | None:
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_time(kind):
        return pa.string()
    if pa.types.is_struct(kind):
        kept = [pa.field(f.name, t) for f in kind if (t := _strings_for(f.type))]
        return pa.struct(kept) if kept else None
    if pa.types.is_list(kind):
        item = _strings_for(kind.value_type)
        return pa.list_(item) if item else None
    return None


def flatten_table(table: pa.Table, wanted: Callable[[str], bool]) -> Columns:
    """Dotted column name -> string array, for the top-level fields ``wanted`` accepts."""
    out: Columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        chunks = column.chunks
        array = chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)
        _flatten(array, name, out, wanted)
    return out


def _flatten(array: pa.Array, name: str, out: Columns, wanted: Callable[[str], bool]) -> None:
    if not wanted(name):
        return
    kind = array.type
    if pa.types.is_struct(kind):
        for field, child in zip(kind, array.flatten(), strict=True):
            _flatten(child, f"{name}.{field.name}", out, wanted)
    elif pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
        _flatten_object_list(array, name, out, wanted)
    elif array.null_count == len(array) and not pa.types.is_null(kind):
        return  # a field of the explicit schema that no line of this chunk has
    elif pa.types.is_list(kind):
        _put(out, name, _list_as_json(array))
    else:
        _put(out, name, _scalar_text(array))


def _put(out: Columns, name: str, array: pa.Array) -> None:
    if name in out:  # ``{"a.b": 1, "a": {"b": 2}}``: the Python path keeps the last one
        raise UnsupportedChunkError
    out[name] = array


def _flatten_object_list(
    array: pa.ListArray, name: str, out: Columns, wanted: Callable[[str], bool]
) -> None:
    """Lists of objects: one column per index and field, ``[]`` for an empty list."""
    items = array.flatten()
    if items.null_count:  # ``[{...}, null]`` is a mixed list: JSON text in Python
        raise UnsupportedChunkError
    lengths = pc.list_value_length(array)
    longest = pc.max(lengths).as_py() or 0
    if longest > MAX_INDEXED_ITEMS:
        raise UnsupportedChunkError
    empty = pc.equal(lengths, 0)
    if pc.any(empty).as_py():
        _put(out, name, pc.if_else(empty, pa.scalar("[]"), pa.scalar(None, pa.string())))
    starts = pc.subtract(array.offsets[:-1], array.offsets[0])
    for index in range(longest):
        present = pc.greater(lengths, index)
        positions = pc.if_else(present, pc.add(starts, index), pa.scalar(None, pa.int32()))
        at_index: Columns = {}
        _flatten(items.take(positions), f"{name}.{index}", at_index, wanted)
        # Items share one struct type: ``scan.3.ssid`` exists only if some 4th item has an ssid.
        for key, column in at_index.items():
            if column.null_count < len(column):
                _put(out, key, column)


def _list_as_json(array: pa.ListArray) -> pa.Array:
    """Lists of scalars as compact JSON text, as ``json.dumps(..., separators=(",", ":"))``."""
    values = array.values
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        texts = _json_strings(values)
    elif pa.types.is_list(values.type) or pa.types.is_struct(values.type):
        raise UnsupportedChunkError
    else:
        texts = _scalar_text(values)
    texts = pc.fill_null(texts, "null")
    lists = pa.ListArray.from_arrays(array.offsets, texts, mask=array.is_null())
    joined = pc.binary_join(lists, ",")
    return pc.binary_join_element_wise("[", joined, "]", "")


def _json_strings(values: pa.Array) -> pa.Array:
    """Quoted and escaped as ``json.dumps(..., ensure_ascii=False)`` does."""
    for raw, escaped in _JSON_ESCAPES:  # backslashes first, before escapes add new ones
        values = pc.replace_substring(values, raw, escaped)
    if pc.any(pc.match_substring_regex(values, r"[\x00-\x1f]")).as_py():
        for raw, escaped in _CONTROL_ESCAPES:
            values = pc.replace_substring(values, raw, escaped)
        if pc.any(pc.match_substring_regex(values, r"[\x00-\x1f]")).as_py():
            raise UnsupportedChunkError  # other controls need \u00XX: rare, left to Python
    return pc.binary_join_element_wise('"', values, '"', "")


def _scalar_text(array: pa.Array) -> pa.Array:
    kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_null(kind):
        return pa.nulls(len(array), pa.string())
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_large_string(kind):
        return pc.cast(array, pa.string())
    if pa.types.is_floating(kind):
        return _double_text(array)
    raise UnsupportedChunkError


def _double_text(array: pa.Array) -> pa.Array:
    if not pc.all(pc.is_finite(array)).as_py():
        raise UnsupportedChunkError
    if pc.any(pc.greater_equal(pc.abs(array), EXACT_DOUBLE_LIMIT)).as_py():
        raise UnsupportedChunkError
    integral = pc.equal(pc.floor(array), array)
    as_integer = pc.cast(pc.cast(array, pa.int64(), safe=False), pa.string())
    return pc.if_else(integral, as_integer, pc.cast(array, pa.string()))
