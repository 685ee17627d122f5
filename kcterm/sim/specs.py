"""The contracts the embedded exchange lists, with specs close to KuCoin's own.

See spec/REFERENCE.md 7.2."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RiskTier:
    """One level of GET /api/v1/contracts/risk-limit/{symbol}: a position whose value (in the
    settlement currency) is in (min_value, max_value] needs these margin rates."""

    level: int
    min_value: Decimal
    max_value: Decimal
    max_leverage: int
    initial_margin: Decimal
    maintain_margin: Decimal


# XBTUSDTM's published ladder (spec/rest/openapi-futures-positions.json example): tier
# limits in USDT and the maximum leverage of each tier; rates are 1/leverage and half of it.
_XBT_LIMITS = (
    100_000,
    500_000,
    1_000_000,
    2_000_000,
    3_000_000,
    5_000_000,
    8_000_000,
    12_000_000,
    20_000_000,
    30_000_000,
    40_000_000,
    50_000_000,
)
_XBT_LEVERAGES = (125, 100, 75, 50, 30, 20, 10, 5, 4, 3, 2, 1)
_XBT_INITIAL = (
    "0.008",
    "0.01",
    "0.014",
    "0.02",
    "0.034",
    "0.05",
    "0.1",
    "0.2",
    "0.25",
    "0.334",
    "0.5",
    "1",
)


def risk_tiers(
    max_leverage: int, first_limit: Decimal, initial: Decimal, maintain: Decimal
) -> tuple[RiskTier, ...]:
    """KuCoin-style tiers: the first ends at ``first_limit`` with the contract's own rates and
    maximum leverage; the next follow XBTUSDTM's published ladder of lower leverages, limits
    scaled by first_limit / 100 000 (initial 1/leverage, maintenance half of it, as every
    published KuCoin tier has)."""
    scale = first_limit / _XBT_LIMITS[0]
    tiers = [RiskTier(1, Decimal(0), first_limit, max_leverage, initial, maintain)]
    for index, lev in enumerate(_XBT_LEVERAGES):
        high = _XBT_LIMITS[index] * scale
        if lev >= max_leverage or high <= tiers[-1].max_value:
            continue
        rate = Decimal(_XBT_INITIAL[index])
        tiers.append(RiskTier(len(tiers) + 1, tiers[-1].max_value, high, lev, rate, rate / 2))
    return tuple(tiers)


@dataclass(frozen=True)
class ContractSpec:
    symbol: str
    base: str  # KuCoin calls bitcoin XBT
    tick_size: Decimal
    multiplier: Decimal  # coins per lot
    start_price: Decimal
    max_leverage: int
    initial_margin: Decimal
    maintain_margin: Decimal
    index_tick_size: Decimal = Decimal("0.01")
    lot_size: int = 1
    max_order_qty: int = 1_000_000
    max_price: Decimal = Decimal("1000000")
    maker_fee_rate: Decimal = Decimal("0.0002")
    taker_fee_rate: Decimal = Decimal("0.0006")
    funding_granularity_ms: int = 28_800_000
    # Per-step standard deviation of the index: 4e-5 at 5 steps/s is about 2.5 % a day.
    volatility: Decimal = Decimal("0.00004")
    # How much of the index's move is the common crypto-market factor (a correlation, 0..1):
    # alts follow bitcoin, so a book of several contracts moves together as real ones do.
    beta: float = 0.85
    # Majors are stepped every market step; the others less often (market.QUIET_EVERY), so
    # thirty-odd living books cost little more than three.
    major: bool = False
    # The settlement (margin) currency and the quote: USDT for most, USDC for the USDC
    # perpetuals; an inverse contract is quoted in USD and margined in its own coin.
    settle: str = "USDT"
    quote: str = "USDT"
    # Coin-margined (XBTUSDM): a lot is `multiplier` USD (KuCoin publishes the multiplier
    # negated, -1); value, margin, PnL and fees are in the base coin: lots x mult / price.
    inverse: bool = False
    # The first risk-limit tier's upper bound in the settlement currency (tiers: risk_tiers).
    first_risk_limit: Decimal = Decimal(100_000)
    # Quote and taker sizes are drawn in lots and multiplied by this: a 1 USD lot (inverse)
    # needs about a hundred times XBTUSDTM's lot count for a book of similar dollar depth.
    depth_scale: int = 1
    tiers: tuple[RiskTier, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.tiers:
            object.__setattr__(
                self,
                "tiers",
                risk_tiers(
                    self.max_leverage,
                    self.first_risk_limit,
                    self.initial_margin,
                    self.maintain_margin,
                ),
            )

    def ticks(self, price: Decimal) -> int:
        """A price as a whole number of ticks (the engine's exact internal unit)."""
        return int(price / self.tick_size)

    def price(self, ticks: int) -> Decimal:
        return ticks * self.tick_size

    def price_text(self, ticks: int) -> str:
        return str(ticks * self.tick_size)

    def value(self, lots: int | Decimal, price: Decimal) -> Decimal:
        """What ``lots`` are worth at ``price`` in the settlement currency: lots x mult x
        price for a linear contract, lots x mult / price (coins) for an inverse one."""
        if self.inverse:
            return lots * self.multiplier / price if price else Decimal(0)
        return lots * self.multiplier * price

    def pnl(self, lots: int | Decimal, entry: Decimal, exit_price: Decimal) -> Decimal:
        """A long's PnL from entry to exit in the settlement currency (a short's is minus it):
        linear lots x mult x (exit - entry); inverse lots x mult x (1/entry - 1/exit)."""
        if self.inverse:
            return lots * self.multiplier * (1 / entry - 1 / exit_price)
        return lots * self.multiplier * (exit_price - entry)

    def tier(self, value: Decimal) -> RiskTier:
        """The risk-limit tier a position of this value (settlement currency) falls in."""
        for tier in self.tiers:
            if value <= tier.max_value:
                return tier
        return self.tiers[-1]


def _linear(
    symbol: str,
    base: str,
    tick: str,
    multiplier: str,
    price: str,
    leverage: int,
    volatility: str,
    beta: float,
    funding_hours: int,
) -> ContractSpec:
    """A USDT-margined linear perpetual: margin rates from the top tier's leverage
    (initial 1/leverage, maintenance half of it, spec/REFERENCE.md 7.2)."""
    return ContractSpec(
        symbol=symbol,
        base=base,
        tick_size=Decimal(tick),
        multiplier=Decimal(multiplier),
        start_price=Decimal(price),
        max_leverage=leverage,
        initial_margin=(Decimal(1) / leverage).quantize(Decimal("0.0001")),
        maintain_margin=(Decimal(1) / (2 * leverage)).quantize(Decimal("0.0001")),
        # KuCoin's indices carry a decimal more than the order tick; on a coarse tick (ADA's
        # 0.0001 at 0.46) an index on the order tick would sit still for minutes.
        index_tick_size=Decimal(tick) / 10,
        funding_granularity_ms=funding_hours * 3_600_000,
        volatility=Decimal(volatility),
        beta=beta,
    )


CONTRACTS: tuple[ContractSpec, ...] = (
    ContractSpec(
        symbol="XBTUSDTM",
        base="XBT",
        tick_size=Decimal("0.1"),
        multiplier=Decimal("0.001"),
        start_price=Decimal("91250.0"),
        max_leverage=125,
        initial_margin=Decimal("0.008"),
        maintain_margin=Decimal("0.004"),
        beta=1.0,
        major=True,
    ),
    ContractSpec(
        symbol="ETHUSDTM",
        base="ETH",
        tick_size=Decimal("0.01"),
        multiplier=Decimal("0.01"),
        start_price=Decimal("3125.00"),
        max_leverage=100,
        initial_margin=Decimal("0.01"),
        maintain_margin=Decimal("0.005"),
        volatility=Decimal("0.00005"),
        beta=0.9,
        major=True,
    ),
    ContractSpec(
        symbol="SOLUSDTM",
        base="SOL",
        tick_size=Decimal("0.001"),
        multiplier=Decimal("0.1"),
        start_price=Decimal("142.500"),
        max_leverage=75,
        initial_margin=Decimal("0.0134"),
        maintain_margin=Decimal("0.0067"),
        index_tick_size=Decimal("0.001"),
        volatility=Decimal("0.00006"),
        major=True,
    ),
    *(
        _linear(*row)
        for row in (
            # symbol, base, tick, multiplier, start price, max leverage, per-step vol, beta,
            # funding hours. Tick, multiplier and leverage as KuCoin listed them in 2025 where
            # known (XBT/ETH/SOL/XRP/DOGE/BNB/ADA/LTC/LINK/AVAX); the rest are estimates in
            # KuCoin's style (lot value of a few dollars, 50-75x). Prices are 2025 levels.
            ("XRPUSDTM", "XRP", "0.0001", "10", "2.3150", 75, "0.00007", 0.8, 8),
            ("DOGEUSDTM", "DOGE", "0.00001", "100", "0.16500", 75, "0.00008", 0.8, 8),
            ("BNBUSDTM", "BNB", "0.01", "0.01", "905.00", 75, "0.00004", 0.8, 8),
            ("ADAUSDTM", "ADA", "0.0001", "10", "0.4650", 75, "0.00007", 0.8, 8),
            ("LTCUSDTM", "LTC", "0.01", "0.1", "98.50", 75, "0.00006", 0.8, 8),
            ("LINKUSDTM", "LINK", "0.001", "0.1", "14.250", 75, "0.00007", 0.8, 8),
            ("AVAXUSDTM", "AVAX", "0.001", "0.1", "15.200", 75, "0.00007", 0.8, 8),
            ("BCHUSDTM", "BCH", "0.01", "0.01", "560.00", 75, "0.00006", 0.75, 8),
            ("DOTUSDTM", "DOT", "0.001", "1", "2.750", 75, "0.00007", 0.8, 8),
            ("TRXUSDTM", "TRX", "0.00001", "100", "0.28500", 50, "0.00004", 0.5, 8),
            ("TONUSDTM", "TON", "0.0001", "1", "1.8200", 50, "0.00007", 0.6, 8),
            ("SUIUSDTM", "SUI", "0.0001", "1", "1.8500", 75, "0.00009", 0.8, 4),
            ("UNIUSDTM", "UNI", "0.001", "1", "7.450", 75, "0.00008", 0.75, 8),
            ("ATOMUSDTM", "ATOM", "0.001", "1", "2.650", 50, "0.00007", 0.75, 8),
            ("NEARUSDTM", "NEAR", "0.001", "1", "2.150", 50, "0.00009", 0.8, 8),
            ("APTUSDTM", "APT", "0.001", "1", "2.950", 50, "0.00009", 0.8, 8),
            ("ARBUSDTM", "ARB", "0.0001", "1", "0.2350", 50, "0.00009", 0.8, 8),
            ("OPUSDTM", "OP", "0.0001", "1", "0.3650", 50, "0.00009", 0.8, 8),
            ("FILUSDTM", "FIL", "0.001", "1", "1.650", 50, "0.00008", 0.75, 8),
            ("ETCUSDTM", "ETC", "0.001", "0.1", "13.850", 50, "0.00007", 0.75, 8),
            ("AAVEUSDTM", "AAVE", "0.01", "0.01", "182.50", 50, "0.00008", 0.75, 8),
            ("INJUSDTM", "INJ", "0.001", "0.1", "6.150", 50, "0.00010", 0.75, 8),
            ("XLMUSDTM", "XLM", "0.00001", "10", "0.25500", 50, "0.00007", 0.7, 8),
            ("HBARUSDTM", "HBAR", "0.00001", "10", "0.14500", 50, "0.00008", 0.7, 8),
            ("WIFUSDTM", "WIF", "0.0001", "10", "0.4150", 50, "0.00012", 0.7, 4),
            ("SEIUSDTM", "SEI", "0.0001", "10", "0.1450", 50, "0.00010", 0.75, 4),
            ("TIAUSDTM", "TIA", "0.001", "1", "0.650", 50, "0.00010", 0.75, 4),
            ("ENAUSDTM", "ENA", "0.0001", "10", "0.2850", 50, "0.00011", 0.75, 4),
        )
    ),
    # USDC-margined linear perpetuals (KuCoin's XBTUSDCM/ETHUSDCM: the USDT contract's lot,
    # tick and leverage, settled and quoted in USDC).
    ContractSpec(
        symbol="XBTUSDCM",
        base="XBT",
        tick_size=Decimal("0.1"),
        multiplier=Decimal("0.001"),
        start_price=Decimal("91255.0"),
        max_leverage=100,
        initial_margin=Decimal("0.01"),
        maintain_margin=Decimal("0.005"),
        beta=1.0,
        settle="USDC",
        quote="USDC",
        first_risk_limit=Decimal(50_000),
    ),
    ContractSpec(
        symbol="ETHUSDCM",
        base="ETH",
        tick_size=Decimal("0.01"),
        multiplier=Decimal("0.01"),
        start_price=Decimal("3125.50"),
        max_leverage=75,
        initial_margin=Decimal("0.0134"),
        maintain_margin=Decimal("0.0067"),
        volatility=Decimal("0.00005"),
        beta=0.9,
        settle="USDC",
        quote="USDC",
        first_risk_limit=Decimal(50_000),
    ),
    # Coin-margined inverse perpetuals: 1 USD a lot, margin and PnL in the coin; KuCoin's
    # XBTUSDM (tick 0.1 now, 1.0 in 2022) lists riskLimit in XBT (40 XBT first tier in 2022).
    ContractSpec(
        symbol="XBTUSDM",
        base="XBT",
        tick_size=Decimal("0.1"),
        multiplier=Decimal("1"),
        start_price=Decimal("91240.0"),
        max_leverage=50,
        initial_margin=Decimal("0.02"),
        maintain_margin=Decimal("0.01"),
        max_order_qty=10_000_000,
        beta=1.0,
        settle="XBT",
        quote="USD",
        inverse=True,
        first_risk_limit=Decimal(40),
        depth_scale=100,
    ),
    ContractSpec(
        symbol="ETHUSDM",
        base="ETH",
        tick_size=Decimal("0.01"),
        multiplier=Decimal("1"),
        start_price=Decimal("3124.00"),
        max_leverage=50,
        initial_margin=Decimal("0.02"),
        maintain_margin=Decimal("0.01"),
        max_order_qty=10_000_000,
        volatility=Decimal("0.00005"),
        beta=0.9,
        settle="ETH",
        quote="USD",
        inverse=True,
        first_risk_limit=Decimal(1000),
        depth_scale=30,
    ),
)


def synthetic_listings(count: int) -> tuple[ContractSpec, ...]:
    """`count` more USDT-margined alt perpetuals, listed after the real ones (SimConfig
    listings; the scale benchmark's 50 contracts): made up (ALT01USDTM, ...) but shaped like
    KuCoin's small alts, prices from about 0.01 to 40 USDT with a tick of four to five
    significant digits, 50x or 75x, a little more volatile than ETH and less tied to the market.
    Always the same for the same index, so a saved practice account still finds them."""
    out = []
    for index in range(1, count + 1):
        exponent = index % 8 - 4  # prices 0.0001 .. 1000 over the cycle, mostly 0.01 .. 40
        exponent = min(max(exponent, -2), 1)
        mantissa = Decimal(1 + (index * 37) % 89) / 10  # 0.1 .. 8.9, spread over the cycle
        price = (mantissa * Decimal(10) ** exponent).quantize(Decimal(10) ** (exponent - 3))
        tick = Decimal(10) ** (exponent - 3)
        multiplier = Decimal(10) ** max(0, -exponent)  # a lot is worth about a dollar or more
        out.append(
            _linear(
                f"ALT{index:02d}USDTM",
                f"ALT{index:02d}",
                str(tick),
                str(multiplier),
                str(price),
                75 if index % 3 else 50,
                "0.00006",
                0.55 + (index % 4) / 10,  # their own moves more than the majors'
                8 if index % 4 else 4,
            )
        )
    return tuple(out)


def listed_contracts(symbols: tuple[str, ...] = (), listings: int = 0) -> tuple[ContractSpec, ...]:
    """The contracts an exchange lists: all of them, or the named ones in listing order; and
    `listings` synthetic ones after them (synthetic_listings)."""
    every = CONTRACTS + synthetic_listings(listings) if listings > 0 else CONTRACTS
    if not symbols:
        return every
    known = {c.symbol for c in every}
    unknown = sorted(set(symbols) - known)
    if unknown:
        raise ValueError(f"no such contract: {', '.join(unknown)}")
    return tuple(c for c in every if c.symbol in symbols)
