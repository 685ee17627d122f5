"""A keyring backend that keeps passwords in a dict: keyring's own backend API, in memory.

keyring ships no in-memory backend, and every test starts with no keyring (tests/conftest.py),
so tests of the keyring path pass this one to SecretStore explicitly.
"""

from __future__ import annotations

from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    @classproperty
    def priority(cls) -> float:
        # keyring registers every subclass; raising here keeps it from ever being chosen
        # automatically (say, by a keyring.get_keyring() the conftest's state does not cover).
        raise RuntimeError("a test backend, used only when passed in")

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)
