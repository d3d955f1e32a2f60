"""Vectorised building blocks: check digits as Polars expressions, byte filters in NumPy.

Everything here runs over whole columns. The byte helpers read a string column's Arrow
buffers (offsets and UTF-8 bytes) directly: dropping or mapping single bytes there is several
times faster than Polars' regex ``replace_all`` on short strings, which the full pass over a
classified column mostly holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa


def digits_only(values: pl.Expr) -> pl.Expr:
    """Drop everything but ASCII digits."""
    return values.str.replace_all(r"[^0-9]", "")


def luhn_valid(digits: pl.Expr, max_len: int = 19) -> pl.Expr:
    """True where a string of digits (at most ``max_len`` ≤ 19 long) passes the Luhn check.

    Integer arithmetic on the number (19 digits fit an unsigned 64-bit integer) is about 40
    times faster than slicing the string once per position. Pass a materialised column, not a
    long expression: the digit terms all reuse it.
    """
    number = digits.cast(pl.UInt64, strict=False)
    total: pl.Expr = pl.lit(0, dtype=pl.UInt64)
    for position in range(max_len):
        digit = (number // (10 ** position)) % 10
        if position % 2 == 1:
            digit = digit * 2 - (digit >= 5).cast(pl.UInt64) * 9
        total = total + digit
    return (total % 10) == 0


def byte_table(wanted: bytes) -> npt.NDArray[np.bool_]:
    """A 256-entry lookup table, True at the byte values in ``wanted``."""
    table = np.zeros(256, dtype=np.bool_)
    table[np.frombuffer(wanted, dtype=np.uint8)] = True
    return table


ASCII_UPPER = np.arange(256, dtype=np.uint8)
"""Byte map that upper-cases ASCII letters and leaves every other byte as it is."""
ASCII_UPPER[ord("a"):ord("z") + 1] -= 32
ASCII_LOWER = np.arange(256, dtype=np.uint8)
"""Byte map that lower-cases ASCII letters and leaves every other byte as it is."""
ASCII_LOWER[ord("A"):ord("Z") + 1] += 32


def string_bytes(values: pl.Series) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Offsets (``len + 1`` of them, from 0) and UTF-8 bytes of a string column.

    Row ``i`` is ``data[offsets[i]:offsets[i + 1]]``; a null row is empty. No copy where the
    column is one Arrow chunk of ``large_string`` (Polars' own layout).
    """
    array = values.to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    _, offsets_buffer, data_buffer = array.buffers()
    if offsets_buffer is None:
        return np.zeros(len(array) + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        array.offset:array.offset + len(array) + 1]
    data = (np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None
            else np.zeros(0, dtype=np.uint8))[offsets[0]:offsets[-1]]
    return offsets - offsets[0], data


def row_sums(flags: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
             ) -> npt.NDArray[np.int64]:
    """Per row, the sum of ``flags`` (one entry per byte) over the row's bytes; empty rows 0."""
    starts = offsets[:-1]
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    # A trailing zero makes the start of empty rows at the end a valid index.
    sums = np.add.reduceat(np.append(flags, np.uint8(0)), starts, dtype=np.int64)
    sums[offsets[1:] == starts] = 0
    return sums


def from_bytes(template: pl.Series, offsets: npt.NDArray[np.int64],
               data: npt.NDArray[np.uint8]) -> pl.Series:
    """A string column built from offsets and UTF-8 bytes, with ``template``'s name and nulls.

    The bytes must be valid UTF-8 per row (Polars checks nothing more).
    """
    validity = (template.is_not_null().to_arrow().buffers()[1]
                if template.null_count() else None)
    out = pa.Array.from_buffers(
        pa.large_string(), template.len(),
        [validity, pa.py_buffer(offsets), pa.py_buffer(data)], template.null_count())
    return pl.Series(template.name, out, dtype=pl.String)


def keep_bytes(values: pl.Series, wanted: bytes, upper: bool = False) -> pl.Series:
    """Each string with only the bytes in ``wanted`` kept (nulls stay null).

    ``wanted`` must hold all or none of the bytes of any multi-byte character (ASCII bytes,
    or every byte from 0x80); ``upper`` upper-cases ASCII letters on the way.
    """
    offsets, data = string_bytes(values)
    keep = byte_table(wanted).take(data)
    new_offsets = np.zeros(offsets.size, dtype=np.int64)
    np.cumsum(row_sums(keep.view(np.uint8), offsets), out=new_offsets[1:])
    kept = np.compress(keep, data)
    if upper:
        kept = ASCII_UPPER.take(kept)
    return from_bytes(values, new_offsets, kept)


def map_bytes(values: pl.Series, table: npt.NDArray[np.uint8]) -> pl.Series:
    """Each byte of each string replaced by ``table[byte]`` (lengths unchanged).

    Only ASCII bytes may be mapped, and only to ASCII bytes, so that UTF-8 stays valid:
    :data:`ASCII_LOWER` lower-cases ASCII letters (non-ASCII letters are left as they are).
    """
    offsets, data = string_bytes(values)
    return from_bytes(values, offsets.copy(), table.take(data))


def lower_case(values: pl.Series) -> pl.Series:
    """``str.to_lowercase``, in NumPy where every string is ASCII (a byte map, about a third
    faster than Polars' Unicode case mapping); a batch without upper-case letters is its own
    lower case."""
    offsets, data = string_bytes(values)
    if not data.size:
        return values
    if int(data.max()) >= 0x80:
        return values.str.to_lowercase()
    if not ((data - np.uint8(ord("A"))) < 26).any():
        return values
    return from_bytes(values, offsets.copy(), ASCII_LOWER.take(data))


def has_byte_at_least(values: pl.Series, low: int) -> bool:
    """True if any string holds a byte ≥ ``low`` (``0x80``: any non-ASCII character)."""
    _, data = string_bytes(values)
    return bool(data.size) and int(data.max()) >= low


def _luhn_block_table() -> npt.NDArray[np.uint8]:
    """Luhn contribution of the four lowest digits of a number (tens and thousands doubled)."""
    doubled = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]
    block = np.arange(10_000)
    digits = [(block // 10 ** k) % 10 for k in range(4)]
    total = digits[0] + np.take(doubled, digits[1]) + digits[2] + np.take(doubled, digits[3])
    table: npt.NDArray[np.uint8] = total.astype(np.uint8)
    return table


_LUHN_BLOCKS = _luhn_block_table()


def luhn_valid_numbers(numbers: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """The Luhn check of each number (its decimal digits, leading zeros not written)."""
    total = np.zeros(numbers.size, dtype=np.uint16)
    for _ in range(5):
        quotient = numbers // 10_000
        total += _LUHN_BLOCKS.take((numbers - quotient * 10_000).astype(np.intp))
        numbers = quotient
    valid: npt.NDArray[np.bool_] = total % 10 == 0
    return valid


POWERS_OF_TEN = 10 ** np.arange(20, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class DigitCells:
    """A string column read as numbers where its cells are bare digits.

    ``plain`` marks the cells of 1 to 19 ASCII digits and nothing else (no sign, space or
    separator; leading zeros kept in ``lengths``), ``numbers`` holds their value (0
    elsewhere) and ``lengths`` every cell's length in bytes (0 for nulls).
    """

    numbers: npt.NDArray[np.uint64]
    lengths: npt.NDArray[np.int64]
    plain: npt.NDArray[np.bool_]

    def leading(self, count: int) -> npt.NDArray[np.int64]:
        """The number the first ``count`` digits of each plain cell of at least ``count``
        digits write (meaningless elsewhere)."""
        shift = np.clip(self.lengths - count, 0, 19)
        leading: npt.NDArray[np.int64] = (self.numbers // POWERS_OF_TEN[shift]).astype(np.int64)
        return leading


def digit_cells(values: pl.Series) -> DigitCells:
    """:class:`DigitCells` of a string column: a cast to integers in Polars (which also takes
    a leading ``+``, hence the test of the first byte) and the byte lengths."""
    frame = pl.select(
        number=values.cast(pl.UInt64, strict=False),
        length=values.str.len_bytes(),
        signed=values.str.starts_with("+"),
    )
    lengths = frame["length"].fill_null(0).to_numpy().astype(np.int64, copy=False)
    plain = ((frame["number"].is_not_null() & ~frame["signed"]).fill_null(False).to_numpy()
             & (lengths <= 19))
    numbers = frame["number"].fill_null(0).to_numpy().astype(np.uint64, copy=False)
    return DigitCells(numbers, lengths, plain)


_NOT_DIGIT_SEPARATOR = bytes(b for b in range(256) if b not in b" -")


class SeparatedDigits:
    """A column of numbers written as bare digits or in groups split by spaces or dashes.

    :attr:`shaped` marks the cells of bare digits and those of ``grouped_shape`` (an anchored
    Rust regex, tested only on the cells that are not bare digits); :attr:`cells` reads every
    cell without its separators as numbers. Only the grouped cells are rewritten, their
    separators dropped in NumPy (a regex replacement over a whole column of bare digits
    costs more than all the checks, and over grouped cells half again as much as NumPy).
    """

    __slots__ = ("cells", "shaped", "_values", "_bare", "_grouped", "_grouped_digits")

    def __init__(self, values: pl.Series, grouped_shape: str) -> None:
        cells = digit_cells(values)
        self._values = values
        self._bare = cells.plain
        self._grouped = np.flatnonzero(~cells.plain & values.is_not_null().to_numpy())
        self.shaped = cells.plain.copy()
        self.cells = cells
        self._grouped_digits: pl.Series | None = None
        if self._grouped.size:
            grouped = values.gather(self._grouped)
            self.shaped[self._grouped] = (grouped.str.contains(grouped_shape).fill_null(False)
                                          .to_numpy())
            self._grouped_digits = keep_bytes(grouped, _NOT_DIGIT_SEPARATOR)
            read = digit_cells(self._grouped_digits)
            numbers, lengths, plain = (cells.numbers.copy(), cells.lengths.copy(),
                                       cells.plain.copy())
            numbers[self._grouped], lengths[self._grouped] = read.numbers, read.lengths
            plain[self._grouped] = read.plain
            self.cells = DigitCells(numbers, lengths, plain)

    def digits(self, mask: npt.NDArray[np.bool_]) -> pl.Series:
        """The digits of the cells of ``mask``: the bare cells', then the grouped cells'."""
        bare = self._values.filter(pl.Series(mask & self._bare, dtype=pl.Boolean))
        if self._grouped_digits is None:
            return bare
        grouped = self._grouped_digits.filter(pl.Series(mask[self._grouped], dtype=pl.Boolean))
        return pl.concat([bare, grouped.alias(bare.name)])
