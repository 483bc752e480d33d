"""Container names: validation and docker-style generated ``adjective_surname`` names.

Names are stored with docker's leading ``/``. A generated name retries with a numeric
suffix when taken, as moby's name generator does. The word lists are berth's own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from berth.errdefs import InvalidArgument

VALID = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ADJECTIVES = _words(
    "agile brave bright calm clever cosmic crisp curious daring eager elegant epic fervent "
    "festive focused friendly gallant gentle gifted happy hardy humble jolly keen kind "
    "lively loyal lucid merry mellow modest nifty noble patient plucky proud quiet quirky "
    "radiant relaxed serene sharp sleepy snappy steady sunny swift tender tidy upbeat vivid "
    "warm witty zealous zen"
)

SURNAMES = _words(
    "agnesi babbage banach bohr boole cantor carson curie darwin dirac euclid euler faraday "
    "fermi feynman franklin gauss germain goodall hamilton hawking hertz hilbert hopper "
    "hypatia johnson kepler knuth kowalevski lamarr lovelace maxwell meitner mendel newton "
    "noether pascal pasteur planck ramanujan ride riemann shannon somerville tesla turing "
    "volta wiles wu"
)


def validate(name: str) -> str:
    """``name`` in stored form (``/name``); moby's message when it has bad characters."""
    if not VALID.match(name):
        raise InvalidArgument(
            f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    return name if name.startswith("/") else "/" + name


def generate(taken: Callable[[str], bool]) -> str:
    """A free ``/adjective_surname`` (with a digit suffix after repeated collisions)."""
    for attempt in range(64):
        name = f"{secrets.choice(ADJECTIVES)}_{secrets.choice(SURNAMES)}"
        if attempt >= 8:
            name += str(secrets.randbelow(10))
        if not taken("/" + name):
            return "/" + name
    return "/" + secrets.token_hex(6)
