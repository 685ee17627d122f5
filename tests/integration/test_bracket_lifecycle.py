"""A bracket lives and dies with what it protects (issue 10 items 2 and 3), against the running
exchange over loopback: the SL/TP st-order sent with an entry goes when the entry goes
(cancel from the panel, cancel all, cancel everywhere, modify, a refusal), shrinks to what
filled, is always reduce-only/closeOrder, is cancelled before a close or a reverse, and when
left behind (restart, reconnect) is listed and offered for cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.core.bracket_guard import ensure_closing
from kcterm.core.bracket_links import bracket_links_path
from kcterm.core.session import Session
from kcterm.core.validation import OrderDraft, OrderRejected, new_client_oid
from kcterm.sim import SimExchange
from kcterm.sim.market import TAKER_USER
from kcterm.venue.kucoin.order_body import bracket_body
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import StreamState
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


async def connected(session: Session) -> None:
    await wait_for(
        lambda: (
            session.adapter.public.state is StreamState.CONNECTED
            and session.adapter.private.state is StreamState.CONNECTED
            and session.market_data.books[SYMBOL].is_live
            and session.reconciler.stats.passes >= 1
        ),
        what="both streams connected, the book live and the first reconcile done",
    )


def new_session(sim: SimExchange, kept: list[Session], links: Path | None = None) -> Session:
    """Another session on the same exchange (a restart); `kept` stops it after the test."""
    session = kucoin_session(RestClient(sim.base_url, credentials_for(sim)), venue="sim")
    kept.append(session)
    if links is not None:
        session.trading.keep_bracket_links(links)
    return session


async def started(session: Session) -> None:
    await session.start([SYMBOL])
    await connected(session)


def qty(session: Session) -> int:
    position = session.account.positions.get(SYMBOL)
    return position.qty if position is not None else 0


async def open_long(session: Session, lots: int) -> None:
    before = qty(session)
    await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", str(lots)))
    )
    await wait_for(lambda: qty(session) == before + lots, what="the long on the feed")


async def exchange_stops(session: Session) -> list[dict]:
    return await session.adapter.rest.stop_orders(SYMBOL)


async def bracketed_entry(
    session: Session, *, lots: int = 2, ticks_below: int = 40, tif: str = "GTC"
) -> tuple[str, str]:
    """A resting buy limit below the bid with its SL/TP; returns (entry id, stop id)."""
    book = session.market_data.books[SYMBOL]
    tick = session.contracts[SYMBOL].tick_size
    price = book.best_bid()[0] - ticks_below * tick
    request = session.trading.prepare(
        OrderDraft(SYMBOL, "buy", "limit", str(lots), str(price), time_in_force=tif)
    )
    plan = session.trading.plan_for_entry(request, str(price - 500 * tick), str(price + 800 * tick))
    entry_id = await session.trading.place_with_bracket(request, plan)
    # The journal names the st-order the exchange accepted (it may be gone already).
    accepted = [e.text for e in session.journal.entries if e.text.startswith("Accepted: TP/SL")]
    return entry_id, accepted[-1].rsplit(" ", 1)[1]


async def stop_gone(session: Session, stop_id: str) -> None:
    await wait_for(
        lambda: all(s.order_id != stop_id for s in session.trading.stop_orders.all()),
        what=f"stop {stop_id} cancelled on the feed",
    )
    assert stop_id not in {s["id"] for s in await exchange_stops(session)}


@pytest.mark.parametrize("how", ["panel", "cancel_all", "everywhere"])
async def test_cancelling_a_bracketed_entry_cancels_its_tp_sl(session: Session, how: str) -> None:
    """The review's case: with a position open, a bracket left by a cancelled entry would later
    close part of that position."""
    await connected(session)
    await open_long(session, 3)
    entry_id, stop_id = await bracketed_entry(session)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry open on the feed")
    if how == "panel":
        await session.trading.cancel(entry_id)
    elif how == "cancel_all":
        await session.trading.cancel_all(SYMBOL)
    else:
        await session.trading.cancel_all_everywhere()
    await stop_gone(session, stop_id)
    assert qty(session) == 3  # the position itself is untouched
    assert any(stop_id in n.text and "TP/SL" in n.text for n in session.notices)


async def test_an_entry_the_exchange_ends_unfilled_takes_its_bracket_with_it(
    session: Session,
) -> None:
    """An IOC entry that cannot fill is accepted and cancelled at once (a refusal after the
    acknowledgement); its bracket must not stay."""
    await connected(session)
    await open_long(session, 1)
    entry_id, stop_id = await bracketed_entry(session, tif="IOC")
    await stop_gone(session, stop_id)
    assert entry_id not in session.trading.orders


async def test_a_refused_entry_places_no_bracket(session: Session) -> None:
    await connected(session)
    book = session.market_data.books[SYMBOL]
    tick = session.contracts[SYMBOL].tick_size
    price = book.best_ask()[0] + 5 * tick  # post-only would take: refused before anything rests
    request = session.trading.prepare(
        OrderDraft(SYMBOL, "buy", "limit", "2", str(price), post_only=True)
    )
    plan = session.trading.plan_for_entry(request, str(price - 500 * tick), str(price + 800 * tick))
    with pytest.raises(Exception):  # noqa: B017 - the venue's refusal, whatever its code
        await session.trading.place_with_bracket(request, plan)
    assert await exchange_stops(session) == []


async def test_a_partial_fill_then_cancel_leaves_a_bracket_of_the_filled_size(
    session: Session,
) -> None:
    await connected(session)
    book = session.market_data.books[SYMBOL]
    ask, at_ask = book.best_ask()
    lots = int(at_ask) + 5  # takes the whole best ask and rests the rest at that price
    tick = session.contracts[SYMBOL].tick_size
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", str(lots), str(ask)))
    plan = session.trading.plan_for_entry(request, str(ask - 500 * tick), str(ask + 800 * tick))
    entry_id = await session.trading.place_with_bracket(request, plan)
    await wait_for(lambda: entry_id in session.trading.orders, what="the rest of the entry resting")
    filled = session.trading.orders.get(entry_id).filled_size
    assert 0 < filled < lots
    # While the rest still rests, the bracket already covers only what filled.
    await wait_for(
        lambda: [s.size for s in session.trading.stop_orders.all()] == [filled],
        what="the bracket following the filled size",
    )
    await session.trading.cancel(entry_id)
    await wait_for(lambda: qty(session) == filled, what="the filled part as the position")

    async def sizes() -> list[int]:
        return [int(s["size"]) for s in await exchange_stops(session)]

    await wait_for(
        lambda: [s.size for s in session.trading.stop_orders.all()] == [filled],
        what="the bracket resized to the filled part",
    )
    assert await sizes() == [filled]
    [stop] = await exchange_stops(session)
    assert stop["reduceOnly"] is True and stop["side"] == "sell"


async def test_every_bracket_request_is_reduce_only_or_close_order(session: Session) -> None:
    await connected(session)
    contract = session.contracts[SYMBOL]
    for close_whole in (False, True):
        plan = plan_bracket(
            contract,
            direction="long",
            size=3,
            entry=Decimal("90000"),
            stop_loss="85000",
            take_profit="95000",
            close_whole=close_whole,
        )
        order = plan.order(contract)
        ensure_closing(order)  # passes
        body = bracket_body(order)  # what the adapter sends
        assert body.get("reduceOnly") is True or body.get("closeOrder") is True
    opening = replace(order, reduce_only=False, close_order=False)
    with pytest.raises(OrderRejected):
        ensure_closing(opening)
    with pytest.raises(ValueError, match="reduce-only or close"):
        bracket_body(opening)  # and the adapter refuses to write it, whoever asks


@pytest.mark.parametrize("action", ["reverse", "close"])
async def test_reverse_and_close_cancel_the_old_tp_sl_first(session: Session, action: str) -> None:
    """Reverse kept the old TP/SL in the review, their meaning inverted on the new side."""
    await connected(session)
    await open_long(session, 2)
    mark = session.trading.market_context(SYMBOL).mark
    contract = session.contracts[SYMBOL]
    tick = contract.tick_size
    mark = mark.quantize(tick)
    plan = session.trading.plan_for_position(
        SYMBOL,
        contract.format_price(mark - 400 * tick),
        contract.format_price(mark + 800 * tick),
    )
    stop_id = await session.trading.place_bracket(plan)
    await wait_for(lambda: len(session.trading.stop_orders) == 1, what="the st-order on the feed")
    if action == "reverse":
        await session.trading.reverse_position(SYMBOL)
        await wait_for(lambda: qty(session) == -2, what="the reversed position")
    else:
        await session.trading.close_position(SYMBOL)
        await wait_for(lambda: qty(session) == 0, what="the closed position")
    await stop_gone(session, stop_id)
    texts = [e.text for e in session.journal.entries]
    cancel_at = next(i for i, t in enumerate(texts) if t.startswith(f"Cancel stop order {stop_id}"))
    closing_at = max(i for i, t in enumerate(texts) if t.startswith("Place "))
    assert cancel_at < closing_at, "the old TP/SL is cancelled before the closing order"
    if action == "reverse":
        notice = session.notices[-1].text if session.notices else ""
        assert any("old TP/SL" in n.text and "cancelled" in n.text for n in session.notices), notice


@pytest.fixture
async def second_session(sim: SimExchange) -> AsyncIterator[list[Session]]:
    made: list[Session] = []
    yield made
    for one in made:
        await one.stop()


async def test_a_bracket_left_across_a_restart_is_listed_and_cancelled_on_click(
    session: Session, sim: SimExchange, second_session: list[Session]
) -> None:
    """Placed, then the app stops; the entry is cancelled elsewhere (another device, the web);
    on the next start the orphaned st-order is named in the journal and a notice, and offered
    for cancel."""
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session)
    await session.stop()
    elsewhere = RestClient(sim.base_url, credentials_for(sim))  # another device, the web
    try:
        await elsewhere.cancel_order(entry_id)  # while the app is down
    finally:
        await elsewhere.close()
    restarted = new_session(sim, second_session)
    await started(restarted)
    await wait_for(lambda: restarted.trading.orphan_brackets, what="the orphan listed")
    assert [s.order_id for s in restarted.trading.orphan_brackets] == [stop_id]
    assert any(stop_id in e.text and "orphan" in e.text.lower() for e in restarted.journal.entries)
    assert any(stop_id in n.text for n in restarted.notices)
    cancelled = await restarted.trading.cancel_orphan_brackets([stop_id])
    assert cancelled == [stop_id]
    assert await exchange_stops(restarted) == []
    assert restarted.trading.orphan_brackets == []


async def test_an_entry_placed_before_a_restart_and_cancelled_after_it_lists_its_tp_sl(
    session: Session, sim: SimExchange, second_session: list[Session]
) -> None:
    """After a restart the link between entry and bracket is gone; the entry's end asks the
    exchange at once, so its bracket is named within moments, not at the next 60 s pass."""
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session)
    await session.stop()
    restarted = new_session(sim, second_session)
    await started(restarted)
    await wait_for(lambda: entry_id in restarted.trading.orders, what="the entry loaded")
    assert restarted.trading.orphan_brackets == []  # its entry still rests: not an orphan
    await restarted.trading.cancel(entry_id)
    await wait_for(lambda: restarted.trading.orphan_brackets, timeout=5, what="the orphan listed")
    assert [o.order_id for o in restarted.trading.orphan_brackets] == [stop_id]
    assert any(stop_id in n.text for n in restarted.notices)


async def test_a_closing_stop_with_nothing_to_protect_is_listed_after_a_reconnect(
    session: Session,
) -> None:
    """A reduce-only st-order the session never saw placed (another device, or placed while
    the private feed was away) is found by the reconnect pass, named, and cancelled on
    request; an ordinary stop entry (not reduce-only) is the trader's and is left alone."""
    await connected(session)
    contract = session.contracts[SYMBOL]
    tick = contract.tick_size
    mark = session.trading.market_context(SYMBOL).mark.quantize(tick)

    def st_order(**extra: object) -> dict:
        return {
            "clientOid": new_client_oid(),
            "side": "sell",
            "symbol": SYMBOL,
            "type": "market",
            "leverage": 1,
            "marginMode": "ISOLATED",
            "stopPriceType": "MP",
            "size": 2,
            "triggerStopUpPrice": contract.format_price(mark + 900 * tick),
            "triggerStopDownPrice": contract.format_price(mark - 900 * tick),
            **extra,
        }

    path = "/api/v1/st-orders"
    orphan = await session.adapter.rest.request(
        "POST", path, body=st_order(reduceOnly=True), signed=True
    )
    mine = await session.adapter.rest.request("POST", path, body=st_order(), signed=True)
    passes = session.reconciler.stats.passes
    session.reconciler.request("reconnect")
    await wait_for(lambda: session.reconciler.stats.passes > passes, what="a reconnect pass")
    assert [o.order_id for o in session.trading.orphan_brackets] == [orphan["orderId"]]
    line = next(e.text for e in session.journal.entries if "Orphaned TP/SL" in e.text)
    assert orphan["orderId"] in line and "(reconnect)" in line
    assert await session.trading.cancel_orphan_brackets([orphan["orderId"]]) == [orphan["orderId"]]
    assert [s["id"] for s in await exchange_stops(session)] == [mine["orderId"]]
    assert session.trading.orphan_brackets == []


async def test_a_bracket_with_its_entry_resting_is_not_an_orphan(session: Session) -> None:
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry on the feed")
    passes = session.reconciler.stats.passes
    session.reconciler.request("reconnect")
    await wait_for(lambda: session.reconciler.stats.passes > passes, what="a reconnect pass")
    assert session.trading.orphan_brackets == []
    assert stop_id in {s["id"] for s in await exchange_stops(session)}


# -- modify: the bracket moves to the replacement (issue 10 item 2) ---------------------------


async def test_modifying_the_price_of_a_bracketed_entry_keeps_its_tp_sl(session: Session) -> None:
    """A modify is cancel + replace on KuCoin: the cancel half must not take the TP/SL with
    it; the same st-order now protects the replacement and goes when the replacement goes."""
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry open on the feed")
    tick = session.contracts[SYMBOL].tick_size
    new_id = await session.trading.modify_order(
        entry_id, price=session.trading.orders.get(entry_id).price - tick
    )
    assert new_id is not None and new_id != entry_id
    await wait_for(lambda: entry_id not in session.trading.orders, what="the old entry gone")
    [stop] = await exchange_stops(session)
    assert (stop["id"], int(stop["size"]), stop["reduceOnly"]) == (stop_id, 2, True)
    assert session.trading.bracket_guard.stop_of(new_id) == stop_id
    passes = session.reconciler.stats.passes
    session.reconciler.request("reconnect")
    await wait_for(lambda: session.reconciler.stats.passes > passes, what="a reconnect pass")
    assert session.trading.orphan_brackets == []  # linked to the resting replacement
    await session.trading.cancel(new_id)  # and the replacement's end still decides its fate
    await stop_gone(session, stop_id)


async def test_modifying_the_size_of_a_bracketed_entry_resizes_its_tp_sl(
    session: Session,
) -> None:
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session, lots=2)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry open on the feed")
    new_id = await session.trading.modify_order(entry_id, size=5)
    assert new_id is not None

    async def stops() -> list[tuple[int, bool]]:
        return [(int(s["size"]), s["reduceOnly"]) for s in await exchange_stops(session)]

    await wait_for(
        lambda: [s.size for s in session.trading.stop_orders.all()] == [5],
        what="the bracket resized to the new entry size",
    )
    assert await stops() == [(5, True)]
    new_stop = session.trading.bracket_guard.stop_of(new_id)
    assert new_stop is not None and new_stop != stop_id
    await session.trading.cancel(new_id)
    await stop_gone(session, new_stop)


async def test_a_modify_of_a_part_filled_entry_carries_its_tp_sl_to_the_replacement(
    session: Session,
) -> None:
    """Part filled, then modified: the bracket keeps covering what filled (the position), and
    the replacement's own fills add to it, as the first order's did."""
    await connected(session)
    book = session.market_data.books[SYMBOL]
    ask, at_ask = book.best_ask()
    lots = int(at_ask) + 5
    tick = session.contracts[SYMBOL].tick_size
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", str(lots), str(ask)))
    plan = session.trading.plan_for_entry(request, str(ask - 500 * tick), str(ask + 800 * tick))
    entry_id = await session.trading.place_with_bracket(request, plan)
    await wait_for(lambda: entry_id in session.trading.orders, what="the rest of the entry resting")
    filled = session.trading.orders.get(entry_id).filled_size
    await wait_for(
        lambda: [s.size for s in session.trading.stop_orders.all()] == [filled],
        what="the bracket following the filled size",
    )
    # Moved up to the next ask: the replacement takes from the book at once.
    new_id = await session.trading.modify_order(entry_id, price=book.best_ask()[0])
    assert new_id is not None
    await wait_for(lambda: qty(session) > filled, what="the replacement filling")
    await wait_for(
        lambda: [s.size for s in session.trading.stop_orders.all()] == [qty(session)],
        what="the bracket following the replacement's fills too",
    )
    [stop] = await exchange_stops(session)
    assert int(stop["size"]) == qty(session) <= lots and stop["reduceOnly"] is True


async def test_a_bracketed_entry_cannot_be_moved_past_its_own_stop_loss(
    session: Session,
) -> None:
    """Moved below its stop-loss, a buy would see the SL fire first (with nothing to close)
    and then fill with no protection: refused before the entry is touched."""
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry open on the feed")
    plan = session.trading.brackets.get(stop_id)
    assert plan is not None and plan.stop_loss is not None and plan.take_profit is not None
    tick = session.contracts[SYMBOL].tick_size
    with pytest.raises(OrderRejected, match="stop-loss"):
        await session.trading.modify_order(entry_id, price=plan.stop_loss - tick)
    with pytest.raises(OrderRejected, match="take-profit"):
        await session.trading.modify_order(entry_id, price=plan.take_profit)
    assert any(entry_id in n.text and "stop-loss" in n.text for n in session.notices)
    assert (await session.adapter.rest.order(entry_id))["isActive"] is True
    assert [s["id"] for s in await exchange_stops(session)] == [stop_id]


# -- restart: the links are kept (issue 10 item 2) --------------------------------------------


async def test_an_entry_placed_before_a_restart_cancelled_after_it_cancels_its_tp_sl(
    sim: SimExchange, tmp_path: Path, second_session: list[Session]
) -> None:
    links = bracket_links_path("practice", "sim", tmp_path)
    first = new_session(sim, second_session, links)
    await started(first)
    entry_id, stop_id = await bracketed_entry(first)
    await first.stop()
    assert oct(links.stat().st_mode & 0o777) == "0o600"
    restarted = new_session(sim, second_session, links)
    assert restarted.trading.bracket_guard.stop_of(entry_id) == stop_id
    await started(restarted)
    await restarted.trading.check_bracket_links()
    await wait_for(lambda: entry_id in restarted.trading.orders, what="the entry loaded")
    assert stop_id in {s["id"] for s in await restarted.adapter.rest.stop_orders()}
    await restarted.trading.cancel(entry_id)
    await stop_gone(restarted, stop_id)
    assert await restarted.adapter.rest.stop_orders() == []
    assert restarted.trading.orphan_brackets == []
    assert any(stop_id in n.text and "cancelled" in n.text for n in restarted.notices)
    assert restarted.trading.bracket_guard.links() == []


async def test_an_entry_cancelled_while_the_app_was_down_has_its_tp_sl_cancelled_at_start(
    sim: SimExchange, tmp_path: Path, second_session: list[Session]
) -> None:
    links = bracket_links_path("practice", "sim", tmp_path)
    first = new_session(sim, second_session, links)
    await started(first)
    entry_id, stop_id = await bracketed_entry(first)
    await first.stop()
    other = RestClient(sim.base_url, credentials_for(sim))  # another device, the web
    await other.cancel_order(entry_id)
    await other.close()
    restarted = new_session(sim, second_session, links)
    await started(restarted)
    await restarted.trading.check_bracket_links()
    assert await restarted.adapter.rest.stop_orders() == []
    assert restarted.trading.bracket_guard.links() == []
    assert any(stop_id in n.text and "cancelled" in n.text for n in restarted.notices)


# -- the size rule before the first fill (issue 10 item 3) ------------------------------------


async def test_a_bracket_triggered_before_its_entry_fills_opens_nothing(
    session: Session, sim: SimExchange
) -> None:
    """The bracket is placed with the entry's size, reduce-only. If the price reaches its
    stop-loss while the entry still rests (no position), the exchange cancels it at the
    trigger: no position is opened, and the entry is untouched."""
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session, lots=2)
    [stop] = await exchange_stops(session)
    assert (int(stop["size"]), stop["reduceOnly"], stop.get("closeOrder")) == (2, True, False)
    assert qty(session) == 0
    market = sim.engine.markets[SYMBOL]
    plan = session.trading.brackets.get(stop_id)
    assert plan is not None and plan.stop_loss is not None
    market.mark_price = plan.stop_loss - 1  # the long's stop-loss is reached on the mark
    sim.engine.after_step()
    await wait_for(
        lambda: all(s.order_id != stop_id for s in session.trading.stop_orders.all()),
        what="the stop gone on the feed",
    )
    assert await exchange_stops(session) == []
    fired = await session.adapter.rest.order(stop_id)
    assert fired["stopTriggered"] is True and fired["isActive"] is False  # it did trigger
    assert int(fired["filledSize"]) == 0  # and traded nothing
    assert all(int(p.get("currentQty") or 0) == 0 for p in await session.adapter.rest.positions())
    assert qty(session) == 0
    assert (await session.adapter.rest.order(entry_id))["isActive"] is True


async def test_an_entry_part_filled_then_cancelled_while_the_app_was_down_is_resized_at_start(
    sim: SimExchange, tmp_path: Path, second_session: list[Session]
) -> None:
    """The kept link knows the entry's size; at start the exchange says what filled, and the
    bracket is cut to that (the position), as the placing session would have done."""
    links = bracket_links_path("practice", "sim", tmp_path)
    first = new_session(sim, second_session, links)
    await started(first)
    ask, at_ask = first.market_data.books[SYMBOL].best_ask()
    lots = int(at_ask) + 5
    tick = first.contracts[SYMBOL].tick_size
    request = first.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", str(lots), str(ask)))
    plan = first.trading.plan_for_entry(request, str(ask - 500 * tick), str(ask + 800 * tick))
    entry_id = await first.trading.place_with_bracket(request, plan)
    await wait_for(lambda: entry_id in first.trading.orders, what="the rest of the entry resting")
    filled = first.trading.orders.get(entry_id).filled_size
    await wait_for(
        lambda: [s.size for s in first.trading.stop_orders.all()] == [filled],
        what="the bracket following the filled size",
    )
    await first.stop()
    # While the app is down a taker sells 2 lots into the rest (now the best bid), then the
    # entry is cancelled elsewhere.
    engine = sim.engine
    engine.submit(engine.new_order(TAKER_USER, SYMBOL, "sell", 0, 2, "market"))
    other = RestClient(sim.base_url, credentials_for(sim))
    assert int((await other.order(entry_id))["filledSize"]) == filled + 2
    await other.cancel_order(entry_id)
    await other.close()
    restarted = new_session(sim, second_session, links)
    await started(restarted)
    await restarted.trading.check_bracket_links()
    [stop] = await restarted.adapter.rest.stop_orders()
    assert (int(stop["size"]), stop["reduceOnly"]) == (filled + 2, True)
    assert qty(restarted) == filled + 2
    assert (
        restarted.trading.bracket_guard.links() == []
    )  # the entry is done: the bracket is the position's


async def test_an_edited_tp_sl_of_a_resting_entry_goes_when_the_entry_is_cancelled(
    session: Session,
) -> None:
    """The path where a stop stayed (issue 10 item 2): editing an entry's SL/TP (the bracket
    dialog: cancel + place) made a new st-order the guard did not know, and cancelling the
    entry then left it on the exchange, to close part of a position later."""
    await connected(session)
    await open_long(session, 3)
    entry_id, stop_id = await bracketed_entry(session)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry open on the feed")
    tick = session.contracts[SYMBOL].tick_size
    entry = session.trading.orders.get(entry_id)
    assert entry is not None
    price = entry.price
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "2", str(price)))
    new_plan = session.trading.plan_for_entry(
        request, str(price - 300 * tick), str(price + 900 * tick)
    )
    new_id = await session.trading.replace_bracket(stop_id, new_plan)
    assert new_id != stop_id
    await wait_for(
        lambda: any(s.order_id == new_id for s in session.trading.stop_orders.all()),
        what="the edited TP/SL on the feed",
    )
    await session.trading.cancel(entry_id)
    await stop_gone(session, new_id)
    assert await exchange_stops(session) == []  # neither the old nor the edited one is left
    assert qty(session) == 3
    assert not any("no longer protected" in n.text for n in session.notices)  # its own edit


async def test_a_tp_sl_cancelled_elsewhere_while_its_entry_rests_is_announced(
    session: Session,
) -> None:
    """The st-order cancelled by another client (KuCoin's web page, say) while the entry
    rests: the trader is told the entry is unprotected, and the guard stops following a stop
    that is gone (a later resize would fail). The session's own edit says nothing of the kind."""
    await connected(session)
    entry_id, stop_id = await bracketed_entry(session)
    await wait_for(lambda: entry_id in session.trading.orders, what="the entry open on the feed")
    await wait_for(
        lambda: any(s.order_id == stop_id for s in session.trading.stop_orders.all()),
        what="the TP/SL on the feed",
    )
    assert session.trading.bracket_guard.link_of_stop(stop_id) is not None
    unprotected = "no longer protected"
    assert not any(unprotected in n.text for n in session.notices)  # the edit test's rule too
    await session.adapter.rest.cancel_order(
        stop_id
    )  # straight to the exchange, not via the session
    await wait_for(
        lambda: any(stop_id in n.text and unprotected in n.text for n in session.notices),
        what="the trader told",
    )
    assert session.trading.bracket_guard.link_of_stop(stop_id) is None
    assert entry_id in session.trading.orders  # the entry itself is untouched
