"""Certificate numbers: ``BGK-<year>-<10 random base32 chars><check char>``.

Random (50 bits from ``secrets``), so numbers cannot be guessed from one another, and ending in a Luhn
mod 32 check character, so a mistyped number is recognised without a database look-up.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_N = len(ALPHABET)
PATTERN = re.compile(rf"^BGK-(\d{{4}})-([{ALPHABET}]{{11}})$")


def check_char(body: str) -> str:
    """The Luhn mod N check character of ``body``."""
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * ALPHABET.index(ch)
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def new_number(year: int) -> str:
    """A fresh certificate number for ``year``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"BGK-{year:04d}-{body}{check_char(body)}"


def well_formed(number: str) -> bool:
    """True when ``number`` has our shape and its check character matches."""
    m = PATTERN.match(number)
    if m is None:
        return False
    return check_char(m.group(2)[:-1]) == m.group(2)[-1]
