"""The app's own start path keeps which SL/TP protects which entry across a restart
(kcterm.profile_runner.open_profile, as `kcterm` opens the practice profile): an entry placed in
one run and cancelled in the next takes its TP/SL with it, no orphan left on the exchange."""

from __future__ import annotations

from kcterm.core.validation import OrderDraft
from kcterm.profile_runner import OpenedProfile, open_profile
from kcterm.profiles import EMBEDDED, Profile, SecretStore
from kcterm.profiles.profile import PRACTICE_NAME
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


async def opened_practice() -> OpenedProfile:
    opened = await open_profile(
        Profile(PRACTICE_NAME, EMBEDDED), SecretStore(environ={}), [SYMBOL], journal=False
    )
    session = opened.session
    await wait_for(lambda: session.market_data.books[SYMBOL].is_live, 15, "a live book")
    await wait_for(lambda: session.reconciler.stats.passes >= 1, 15, "the first reconcile")
    return opened


async def test_an_entry_placed_before_a_restart_and_cancelled_after_it_takes_its_tp_sl() -> None:
    first = await opened_practice()
    try:
        session = first.session
        tick = session.contracts[SYMBOL].tick_size
        price = session.market_data.books[SYMBOL].best_bid()[0] - 60 * tick  # rests
        request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "2", str(price)))
        plan = session.trading.plan_for_entry(
            request, str(price - 500 * tick), str(price + 800 * tick)
        )
        entry_id = await session.trading.place_with_bracket(request, plan)
        await wait_for(
            lambda: len(session.trading.stop_orders.all()) == 1, 10, "the TP/SL on the feed"
        )
        stop_id = session.trading.stop_orders.all()[0].order_id
    finally:
        await first.close()

    second = await opened_practice()  # the practice account is kept between runs
    try:
        session = second.session
        assert entry_id in session.trading.orders and not session.trading.orphan_brackets
        await session.trading.cancel(entry_id)
        await wait_for(
            lambda: not session.trading.stop_orders.all(),
            10,
            f"TP/SL {stop_id} cancelled with its entry",
        )
        assert await session.adapter.rest.stop_orders(SYMBOL) == []
    finally:
        await second.close()
