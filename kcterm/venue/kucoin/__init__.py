"""KuCoin Futures, client side: signing, the REST client with typed calls, throttling per
rate-limit pool, retry and backoff, WebSocket streams (spec/REFERENCE.md)."""
