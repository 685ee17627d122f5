"""Which rate-limit pool a request draws from and what it weighs (spec/REFERENCE.md 6.1, 6.2).

The table is kcterm/venue/kucoin/weights.py, generated from the spec. A concrete path such as
``/api/v1/orders/123`` is matched against the spec's templates; a literal path wins over a
template (``/api/v1/orders/byClientOid`` is not ``/api/v1/orders/{order-id}``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kcterm.venue.kucoin.weights import WEIGHTS

PUBLIC = "Public"
FUTURES = "Futures"
DEFAULT_WEIGHT = 1

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + r"\Z")


# (method, compiled template, placeholders, pool, weight), literal templates first
_TEMPLATES = sorted(
    (
        (method, _pattern(path), len(_PLACEHOLDER.findall(path)), pool, weight)
        for (method, path), (pool, weight) in WEIGHTS.items()
    ),
    key=lambda row: row[2],
)


@lru_cache(maxsize=512)
def cost_of(method: str, path: str, signed: bool = False) -> tuple[str, int]:
    """(pool, weight) of ``method path``; unknown paths cost the default weight from the pool
    their kind would use (private calls count against the account's Futures pool). Every
    request asks: call it with positional arguments, the cache's quick key (a keyword
    argument makes it build a longer one, ~0.3 µs)."""
    method = method.upper()
    for row_method, pattern, _, pool, weight in _TEMPLATES:
        if row_method == method and pattern.match(path):
            return pool, weight
    return (FUTURES if signed else PUBLIC), DEFAULT_WEIGHT
