"""The contract as the official OpenAPI files state it: for every futures REST operation the
schema and example of its reply's ``data``, and for every futures WebSocket topic the schema
and example of its frames. Read from kcterm/spec (the in-repo copy) at test time, never retyped.

The REST selection is the one kcterm/sim/gen_spec_tables.py makes for the rate-limit table:
operations whose ``x-domain`` is ``Futures``, keyed by their real method
(``x-original-method`` where the spec had to rename one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kcterm.spec import SPEC_DIR

REPO = Path(__file__).resolve().parents[2]
WS_FILES = ("openapi-futures-public.json", "openapi-futures-private.json")

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template as the spec writes it, e.g. /api/v1/orders/{order-id}
    data_schema: dict[str, Any]  # $refs resolved
    data_example: Any  # the example reply's data (None when the example has none)
    abandoned: bool  # x-abandon: "abandon" (the spec keeps it, KuCoin retired it)
    source: str  # the spec file it came from


@dataclass(frozen=True)
class Topic:
    topic: str  # the template, e.g. /contractMarket/tradeOrders:{symbol}
    frame_schema: dict[str, Any]  # the whole frame; its "data" property is the payload
    frame_example: dict[str, Any]
    private: bool

    @property
    def prefix(self) -> str:
        return self.topic.partition(":")[0]

    @property
    def data_schema(self) -> dict[str, Any]:
        return self.frame_schema["properties"]["data"]

    @property
    def data_example(self) -> Any:
        return self.frame_example.get("data")


def shape(path: str) -> str:
    """A path template with its parameters unnamed: the spec writes {order-id} where the
    exchange's router writes {orderId}."""
    return _PLACEHOLDER.sub("{}", path)


def example(text: str | None) -> Any:
    """The spec's x-response-example is JSON text escaped once more, as a string body."""
    if not text:
        return None
    return json.loads(json.loads(f'"{text}"'))


def resolve(node: Any, document: dict[str, Any]) -> Any:
    """A copy of ``node`` with every local $ref replaced by what it points at."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target: Any = document
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            return resolve(target, document)
        return {key: resolve(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, document) for item in node]
    return node


def _reply_schema(op: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    content = op["responses"]["200"]["content"]["application/json"]
    return resolve(content["schema"], document)


def futures_operations(spec_dir: Path = SPEC_DIR) -> dict[tuple[str, str], Operation]:
    """{(METHOD, path template): Operation} for every futures operation in rest/*.json."""
    found: dict[tuple[str, str], Operation] = {}
    for spec_file in sorted((spec_dir / "rest").glob("*.json")):
        document = json.loads(spec_file.read_text(encoding="utf-8"))
        for path, operations in document.get("paths", {}).items():
            for method, op in operations.items():
                if not isinstance(op, dict) or op.get("x-domain") != "Futures":
                    continue
                real_method = str(op.get("x-original-method") or method).upper()
                reply = _reply_schema(op, document)
                sample = example(op.get("x-response-example"))
                found[(real_method, path)] = Operation(
                    method=real_method,
                    path=path,
                    data_schema=reply["properties"]["data"],
                    data_example=sample.get("data") if isinstance(sample, dict) else None,
                    abandoned=op.get("x-abandon") == "abandon",
                    source=spec_file.name,
                )
    return found


def futures_topics(spec_dir: Path = SPEC_DIR) -> dict[str, Topic]:
    """{topic template: Topic} for every topic in the futures WebSocket files."""
    found: dict[str, Topic] = {}
    for name in WS_FILES:
        document = json.loads((spec_dir / "ws" / name).read_text(encoding="utf-8"))
        for operations in document.get("paths", {}).values():
            for op in operations.values():
                topic = op["x-topic"]
                found[topic] = Topic(
                    topic=topic,
                    frame_schema=_reply_schema(op, document),
                    frame_example=example(op.get("x-response-example")),
                    private=bool(op.get("x-sdk-private")),
                )
    return found
