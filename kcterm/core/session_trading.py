"""The trading actions of a Session: place, cancel, cancel all, modify (cancel-and-replace).

Every order goes through the OrderGateway, so an order whose reply was lost is looked up by
its clientOid instead of being placed again; the journal says what was asked and answered.
"""

from __future__ import annotations

from decimal import Decimal

from kcterm.api.errors import KucoinError
from kcterm.api.rest import RestClient
from kcterm.core.contract import Contract
from kcterm.core.journal import Journal
from kcterm.core.order_actions import cancel_everywhere, wait_until_done
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.orders import OpenOrders
from kcterm.core.validation import OrderDraft, OrderRequest, validate_order


class SessionTrading:
    rest: RestClient
    journal: Journal
    orders: OpenOrders
    gateway: OrderGateway
    contracts: dict[str, Contract]

    def notify(self, level: str, text: str) -> None:  # provided by Session
        raise NotImplementedError

    def prepare(self, draft: OrderDraft) -> OrderRequest:
        """Validate a ticket against its contract; raises OrderRejected with the reason."""
        return validate_order(self.contracts[draft.symbol], draft)

    async def place(self, request: OrderRequest) -> str:
        """Send a validated order. The open-orders table changes when the feed confirms it."""
        price = f" @ {request.price_text}" if request.price_text else ""
        what = f"{request.side} {request.size} {request.symbol} {request.order_type}{price}"
        self.journal.action(f"Place {what} (clientOid {request.client_oid})", request.symbol)
        try:
            order_id = await self.gateway.place(request.to_body())
        except KucoinError as exc:
            self.notify("error", f"Order rejected: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Order {what} refused", exc, request.symbol)
            raise
        self.notify("info", f"Sent {what}")
        self.journal.reply(f"Accepted: order {order_id}", request.symbol)
        return order_id

    async def cancel(self, order_id: str) -> None:
        symbol = order.symbol if (order := self.orders.get(order_id)) else ""
        self.journal.action(f"Cancel order {order_id}", symbol)
        try:
            live = await self.gateway.cancel(order_id)
        except KucoinError as exc:
            self.notify("error", f"Cancel failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel of order {order_id} refused", exc, symbol)
            raise
        if live:
            self.notify("info", f"Cancel sent for order {order_id}")
            self.journal.reply(f"Cancel of order {order_id} received", symbol)
        else:
            self.journal.reply(f"Order {order_id} was already done", symbol)

    async def cancel_all(self, symbol: str) -> None:
        self.journal.action(f"Cancel all orders on {symbol}", symbol)
        try:
            reply = await self.rest.cancel_all(symbol)
        except KucoinError as exc:
            self.notify("error", f"Cancel all failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel all {symbol} refused", exc, symbol)
            raise
        self.notify("info", f"Cancel all sent for {symbol}")
        count = len((reply or {}).get("cancelledOrderIds") or [])
        self.journal.reply(f"Cancel all {symbol}: {count} order(s) cancelled", symbol)

    async def cancel_all_everywhere(self) -> int:
        """Cancel every open order on every contract; returns how many were cancelled."""
        known = {order.symbol for order in self.orders.all()}
        try:
            ids = await cancel_everywhere(self.rest, self.journal, known)
        except KucoinError as exc:
            self.notify("error", f"Cancel everywhere incomplete: {exc.msg} (KuCoin {exc.code})")
            raise
        self.notify("info", f"Cancel everywhere: {len(ids)} order(s) cancelled")
        return len(ids)

    async def move_order(self, order_id: str, price: Decimal) -> str | None:
        """Modify an open limit order's price: cancel it, then place the unfilled rest at
        `price` with a new clientOid; the new order is linked to the old one (gateway.links).
        Returns the new order id, or None when nothing was left to place."""
        order = self.orders.get(order_id)
        if order is None:
            raise KeyError(f"order {order_id} is not open")
        contract = self.contracts[order.symbol]
        text = contract.format_price(price)
        draft = OrderDraft(order.symbol, order.side, "limit", str(order.remaining), text)
        validate_order(contract, draft)  # checked before the old order is touched
        self.journal.action(
            f"Modify {order.side} order {order_id} from {contract.format_price(order.price)} "
            f"to {text}",
            order.symbol,
        )
        try:
            await self.gateway.cancel(order_id)
            done = await wait_until_done(self.rest, order_id)
            left = int(done.get("size") or 0) - int(
                done.get("filledSize") or done.get("dealSize") or 0
            )
            if left <= 0:
                self.journal.reply(f"Order {order_id} filled before the modify", order.symbol)
                return None
            leverage = int(Decimal(str(done.get("leverage") or 5)))
            request = validate_order(
                contract,
                OrderDraft(
                    order.symbol,
                    order.side,
                    "limit",
                    str(left),
                    text,
                    leverage=max(1, min(leverage, contract.max_leverage)),
                    margin_mode=str(done.get("marginMode") or "ISOLATED"),
                ),
            )
            new_id = await self.gateway.place(request.to_body())
        except KucoinError as exc:
            self.notify("error", f"Modify failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Modify of order {order_id} failed", exc, order.symbol)
            raise
        self.gateway.link(order_id, new_id, order.symbol)
        return new_id
