"""E.164 forms of a phone column's numbers written in Polars, as its sample shows them.

libphonenumber reads one number per call (about 50 µs, holding the interpreter lock), so a
column of a million distinct numbers would take a minute to normalise. A column mostly
writes its numbers one way, though: international cells are ``+`` and the digits of their
E.164 form, and national cells are numbers of one country, its country code and their
digits without the trunk prefix. :func:`fit_column_form` learns which of the two rules a
column follows from its sample: a rule is kept when it gives libphonenumber's own E.164 form
for at least :data:`MIN_AGREEMENT` of the valid sampled numbers it covers. The full pass then
writes every cell a rule covers in Polars and asks libphonenumber for the others.

The few numbers a kept rule reads otherwise than libphonenumber are read as the column's:
``(556) 546-6840`` in a column of American numbers is ``+15565466840`` (libphonenumber, which
tries regions in turn, finds no such US number and reads a Turkish mobile), and an
international number written with its trunk prefix (``+44 020 ...``) keeps it. The normal form
serves distinct counts only, which these readings change only where one number is written
both ways.

The country's code, trunk prefix and number lengths come from libphonenumber's metadata, for
the regions the phone detector reads national numbers in (:data:`contact.DEFAULT_REGIONS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
import polars as pl

MIN_AGREEMENT = 0.9
"""Share of the valid sampled numbers a rule covers that it must read as libphonenumber does."""
_INTERNATIONAL_PREFIX = "00"
"""National cells that start so are dialled abroad (``0049 30 ...``): left to libphonenumber."""


@dataclass(frozen=True, slots=True)
class NationalForm:
    """How national numbers of one country are written in E.164."""

    region: str
    country_code: str
    trunk_prefix: str
    lengths: tuple[int, ...]
    """Lengths of the country's national significant numbers."""

    @classmethod
    def of(cls, region: str) -> NationalForm | None:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.general_desc is None:
            return None
        return cls(region, str(metadata.country_code), metadata.national_prefix or "",
                   tuple(metadata.general_desc.possible_length or ()))

    def e164(self, digits: pl.Expr) -> pl.Expr:
        """``+``, the country code and the digits, a leading trunk prefix dropped where the
        rest has the length of a national significant number."""
        significant = digits
        if self.trunk_prefix:
            width = len(self.trunk_prefix)
            trunk = (digits.str.starts_with(self.trunk_prefix)
                     & (digits.str.len_bytes() - width).is_in(self.lengths))
            significant = pl.when(trunk).then(digits.str.slice(width)).otherwise(digits)
        return pl.lit(f"+{self.country_code}") + significant


@dataclass(frozen=True, slots=True)
class PhoneColumnForm:
    """The rules a column's sample follows (see the module's docstring)."""

    international: bool
    """Cells written with ``+`` are ``+`` and the digits of their E.164 form."""
    national: NationalForm | None
    """National cells are numbers of this country."""

    def e164(self, digits: pl.Series) -> pl.Series:
        """Per cell (given as ``phone_digits_cells``: ``+`` and digits, or digits), the E.164
        form the rules give; null where no rule covers the cell."""
        cell = pl.col("digits")
        international = cell.str.starts_with("+")
        national = ~international & ~cell.str.starts_with(_INTERNATIONAL_PREFIX)
        written = pl.when(international).then(cell if self.international else None)
        form = (written.when(national).then(self.national.e164(cell)).otherwise(None)
                if self.national is not None else written.otherwise(None))
        return digits.rename("digits").to_frame().select(form.alias(digits.name)).to_series()


def fit_column_form(digits: pl.Series, e164: pl.Series,
                    regions: Sequence[str]) -> PhoneColumnForm | None:
    """The rules that give libphonenumber's ``e164`` (null where a number is not valid) for
    :data:`MIN_AGREEMENT` of the valid sampled cells they cover, or None if neither does.
    ``digits`` are the sampled cells as ``phone_digits_cells``; national numbers are tried
    as numbers of each of ``regions`` in turn (libphonenumber's order)."""
    frame = pl.DataFrame({"digits": digits, "e164": e164}).filter(pl.col("e164").is_not_null())
    international = frame.filter(pl.col("digits").str.starts_with("+"))
    national = frame.filter(~pl.col("digits").str.starts_with("+")
                            & ~pl.col("digits").str.starts_with(_INTERNATIONAL_PREFIX))
    as_written = _agrees(international, pl.col("digits"))
    fitted: NationalForm | None = None
    for region in regions if national.height else ():
        form = NationalForm.of(region)
        if form is not None and _agrees(national, form.e164(pl.col("digits"))):
            fitted = form
            break
    if not as_written and fitted is None:
        return None
    return PhoneColumnForm(as_written, fitted)


def _agrees(numbers: pl.DataFrame, form: pl.Expr) -> bool:
    if numbers.height == 0:
        return False
    share = numbers.select((form == pl.col("e164")).mean()).item()
    return bool(share >= MIN_AGREEMENT)
