"""Venues: where kcterm trades. `kcterm.venue.kucoin` is the one adapter today (KuCoin Futures'
REST and WebSocket protocol, client side); everything above it speaks the venue's domain
events and values (kcterm.venue.events) and its errors (kcterm.venue.errors), never KuCoin's
field names. ARCHITECTURE.md has the checklist for adding a second venue."""
