"""Refusals the exchange would make that depend on the book and the position, not on the
contract's rules (those are core.validation's): a post-only order that would take liquidity,
and a reduce-only or close order that would open or grow a position. The ticket shows them
before sending, so the trader reads why in the ticket instead of a reject from the exchange.

Stop orders are left to the exchange: their book and position are the ones at the trigger.
"""

from __future__ import annotations

from kcterm.core.contract import Contract
from kcterm.core.positions import Position
from kcterm.core.validation import MarketContext, OrderRejected, OrderRequest


def forecast_refusal(
    contract: Contract,
    request: OrderRequest,
    market: MarketContext,
    position: Position | None,
) -> OrderRejected | None:
    """Why the exchange would refuse `request` now, or None when it would not."""
    if (request.kind or request.order_type) not in ("limit", "market"):
        return None
    return _post_only_crossing(contract, request, market) or _reduce_only_growing(
        contract, request, position
    )


def _post_only_crossing(
    contract: Contract, request: OrderRequest, market: MarketContext
) -> OrderRejected | None:
    if not request.post_only or request.order_type != "limit" or request.price is None:
        return None
    price = contract.format_price(request.price)
    if request.side == "buy" and market.best_ask is not None and request.price >= market.best_ask:
        ask = contract.format_price(market.best_ask)
        return OrderRejected(
            "price",
            f"Post-only buy at {price} would take liquidity (best ask {ask}): "
            "the exchange refuses it. Price it below the ask.",
        )
    if request.side == "sell" and market.best_bid is not None and request.price <= market.best_bid:
        bid = contract.format_price(market.best_bid)
        return OrderRejected(
            "price",
            f"Post-only sell at {price} would take liquidity (best bid {bid}): "
            "the exchange refuses it. Price it above the bid.",
        )
    return None


def _reduce_only_growing(
    contract: Contract, request: OrderRequest, position: Position | None
) -> OrderRejected | None:
    qty = position.qty if position is not None else 0
    if request.close_order:
        if qty == 0:
            return OrderRejected(
                "close_position", f"Close position: there is no {contract.symbol} position."
            )
        return None
    if not request.reduce_only:
        return None
    if qty == 0:
        return OrderRejected(
            "reduce_only",
            f"Reduce-only: there is no {contract.symbol} position to reduce, so this order "
            "could only open one.",
        )
    if (qty > 0) == (request.side == "buy"):
        held = "long" if qty > 0 else "short"
        return OrderRejected(
            "reduce_only",
            f"Reduce-only: a {request.side} would increase your {held} of {abs(qty):,} lots; "
            f"only a {'sell' if qty > 0 else 'buy'} reduces it.",
        )
    return None
