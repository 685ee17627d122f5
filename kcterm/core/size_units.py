"""Order sizes typed in lots, coins or USDT, turned into whole lots (the only size we send).

KuCoin accepts `qty` and `valueQty` too, but the exchange would then round on its side; a
size decided here is the size shown before sending, so the ticket converts and sends `size`.
Coins must be an exact multiple of the contract's multiplier; a USDT value buys the whole lots
it pays for at the order's price, rounded down (never more than typed).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from kcterm.core.contract import Contract

SIZE_UNITS = ("lots", "coins", "usdt")


class SizeError(ValueError):
    """A size that cannot become whole lots; the message is the reason for the trader."""


def parse_amount(text: str, what: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise SizeError(f"Enter a size in {what}.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise SizeError(f"Size {text!r} is not a number.") from None
    if not value.is_finite():
        raise SizeError("Size must be a whole number of lots.")
    if value <= 0:
        raise SizeError("Size must be at least 1 lot.")
    return value


def unit_name(contract: Contract, unit: str) -> str:
    return {"lots": "lots", "coins": contract.base_currency or "coins"}.get(
        unit, contract.settle_currency or "USDT"
    )


def to_lots(contract: Contract, unit: str, text: str, price: Decimal | None) -> int:
    """Whole lots for `text` in `unit`; `price` values a USDT amount (None: unknown yet)."""
    if unit not in SIZE_UNITS:
        raise SizeError(f"Size unit must be lots, coins or USDT, not {unit!r}.")
    amount = parse_amount(text, unit_name(contract, unit))
    if unit == "lots":
        if amount != amount.to_integral_value():
            raise SizeError("Size must be a whole number of lots.")
        return int(amount)
    if unit == "coins":
        lots = amount / contract.multiplier
        if lots != lots.to_integral_value():
            raise SizeError(
                f"{amount.normalize():f} {unit_name(contract, unit)} is not a whole number of "
                f"lots: use a multiple of {contract.multiplier.normalize():f}."
            )
        return int(lots)
    if price is None or price <= 0:
        raise SizeError("No price yet to turn the USDT value into lots.")
    lot_value = price * contract.multiplier
    whole = int((amount / lot_value).to_integral_value(ROUND_FLOOR))
    whole -= whole % contract.lot_size
    if whole < 1:
        raise SizeError(
            f"{amount.normalize():f} USDT is less than one lot "
            f"(1 lot ≈ {lot_value.quantize(Decimal('0.01'))} USDT at this price)."
        )
    return whole


def from_lots(contract: Contract, unit: str, lots: int, price: Decimal | None) -> str:
    """`lots` written in `unit`, as the size field shows it. The USDT value is exact (lots x
    multiplier x a price on the tick grid), so reading it back gives the same lots."""
    if unit == "lots":
        return str(lots)
    coins = lots * contract.multiplier
    if unit == "coins":
        return f"{coins.normalize():f}"
    if unit != "usdt":
        raise SizeError(f"Size unit must be lots, coins or USDT, not {unit!r}.")
    if price is None or price <= 0:
        raise SizeError("No price yet to value the size in USDT.")
    return f"{(coins * price).normalize():f}"


def convert(
    contract: Contract, old_unit: str, new_unit: str, text: str, price: Decimal | None
) -> str:
    """The size typed as `text` in `old_unit`, rewritten in `new_unit` at `price` (through
    whole lots: 1000 USDT becomes the lots it buys, never 1000 lots). Raises SizeError with
    the reason when it cannot be converted; the ticket then clears the field, because reading
    the old number in the new unit would change the order's size by the price's factor."""
    if old_unit == new_unit:
        return text
    return from_lots(contract, new_unit, to_lots(contract, old_unit, text, price), price)


def describe_lots(contract: Contract, lots: int, price: Decimal | None) -> str:
    """`12 lots = 0.012 XBT ≈ 1,094.67 USDT`: the live conversion under the size field."""
    coins = (lots * contract.multiplier).normalize()
    text = f"{lots:,} lot{'s' if lots != 1 else ''} = {coins:f} {contract.base_currency or 'coins'}"
    if price is not None and price > 0:
        value = (lots * contract.multiplier * price).quantize(Decimal("0.01"))
        text += f" ≈ {value:,} {contract.settle_currency or 'USDT'}"
    return text
