"""Order sizes typed in lots, coins or USDT, turned into whole lots (the only size we send).

KuCoin accepts `qty` and `valueQty` too, but the exchange would then round on its side; a
size decided here is the size shown before sending, so the ticket converts and sends `size`.
Coins must be an exact multiple of the contract's multiplier; a USDT value buys the whole lots
it pays for at the order's price, rounded down (never more than typed).

An inverse (coin-margined) contract such as XBTUSDM is quoted in USD and settled in the coin:
there "coins" means the USD face value (lots x |multiplier|, exact) and the value unit is the
settle coin (lots x |multiplier| / price XBT), so the three units stay lots, face, money.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

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
    """What the trader reads for `unit`: lots, the face currency, the settlement currency."""
    if unit == "lots":
        return "lots"
    if unit == "coins":
        if contract.is_inverse:  # a lot of XBTUSDM is 1 USD, not an amount of XBT
            return contract.quote_currency or "USD"
        return contract.base_currency or "coins"
    return contract.settle_currency or "USDT"


def lot_value(contract: Contract, price: Decimal) -> Decimal:
    """What one lot is worth at `price` in the settlement currency."""
    return contract.value(1, price)


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
    money = unit_name(contract, unit)
    if price is None or price <= 0:
        raise SizeError(f"No price yet to turn the {money} value into lots.")
    one = lot_value(contract, price)
    if contract.is_inverse:  # amount x price is the USD face it pays for (no rounded divisor)
        exact = amount * price / contract.multiplier
    else:
        exact = amount / one
    whole = int(exact.to_integral_value(ROUND_FLOOR))
    whole -= whole % contract.lot_size
    if whole < 1:
        step = Decimal(1).scaleb(-contract.money_places)
        raise SizeError(
            f"{amount.normalize():f} {money} is less than one lot "
            f"(1 lot ≈ {one.quantize(step)} {money} at this price)."
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
    money = unit_name(contract, unit)
    if price is None or price <= 0:
        raise SizeError(f"No price yet to value the size in {money}.")
    if contract.is_inverse:
        # lots / price rarely ends: round UP at the coin's places, so reading it back
        # (floor of amount x price) gives these lots again, never one fewer.
        step = Decimal(1).scaleb(-contract.money_places)
        coin = contract.value(lots, price).quantize(step, rounding=ROUND_CEILING)
        return f"{coin.normalize():f}"
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
    """`12 lots = 0.012 XBT ≈ 1,094.67 USDT` (inverse: `100 lots = 100 USD ≈ 0.00109589 XBT`):
    the live conversion under the size field."""
    coins = (lots * contract.multiplier).normalize()
    text = f"{lots:,} lot{'s' if lots != 1 else ''} = {coins:f} {unit_name(contract, 'coins')}"
    if price is not None and price > 0:
        step = Decimal(1).scaleb(-contract.money_places)
        value = contract.value(lots, price).quantize(step)
        text += f" ≈ {value:,f} {unit_name(contract, 'usdt')}"
    return text
