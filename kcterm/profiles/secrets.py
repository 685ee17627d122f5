"""Where API secrets live: the operating system's keyring, or else the environment.

The keyring (macOS Keychain, Windows Credential Locker, Secret Service on a Linux desktop) keeps
each profile's key, secret and passphrase under the service "kcterm". A bare Linux box has no
keyring backend: then kcterm says so, reads the secrets from environment variables, and refuses
to store them — it never writes a secret to disk in plain text.

Every secret read here is registered with the log redactor before it is returned.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from kcterm.logging_setup import REDACTOR
from kcterm.profiles.profile import KUCOIN, Profile
from kcterm.venue.kucoin.signer import Credentials  # a profile's key (re-exported)

SERVICE = "kcterm"
FIELDS = ("key", "secret", "passphrase")
# `kcterm --venue live` has always read these; the kucoin profile still does.
LEGACY_ENV = {
    "key": "KUCOIN_API_KEY",
    "secret": "KUCOIN_API_SECRET",
    "passphrase": "KUCOIN_API_PASSPHRASE",
}
log = logging.getLogger("kcterm.profiles.secrets")


class NoKeyringError(RuntimeError):
    """Secrets cannot be stored here; the message says which variables to set instead."""


@dataclass(frozen=True)
class Found:
    credentials: Credentials
    source: str  # "keyring" | "environment"


def usable_keyring():
    """The keyring backend to use, or None where there is none (keyring's fail/null)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:  # keyring is a dependency, but a trimmed install may lack it
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


class SecretStore:
    def __init__(self, backend=None, environ: Mapping[str, str] | None = None) -> None:
        """`backend`: a keyring backend; None means "whatever the system has, if anything"."""
        self.backend = backend if backend is not None else usable_keyring()
        self.environ = environ if environ is not None else os.environ

    @property
    def has_keyring(self) -> bool:
        return self.backend is not None

    def describe(self) -> str:
        """One sentence for the settings dialog about where secrets go."""
        if self.backend is not None:
            name = getattr(self.backend, "name", type(self.backend).__name__)
            return f"Secrets are kept in the system keyring ({name}), never in the settings file."
        return (
            "No keyring backend on this system: kcterm cannot store secrets here and never "
            "writes them to disk. Set them as environment variables before starting kcterm."
        )

    @staticmethod
    def env_names(profile: Profile) -> dict[str, str]:
        """The environment variables a profile's secrets are read from, field by field."""
        return {field: f"KCTERM_{profile.slug}_API_{field.upper()}" for field in FIELDS}

    # -- reading -----------------------------------------------------------------------------

    def load(self, profile: Profile) -> Found | None:
        """The profile's credentials (keyring first, then environment), or None."""
        if not profile.needs_keys:
            return None
        values = self._from_keyring(profile)
        source = "keyring"
        if values is None:
            values = self._from_env(profile)
            source = "environment"
        if values is None:
            return None
        REDACTOR.add(*values.values())
        version = profile.key_version
        if source == "environment" and profile.kind == KUCOIN:
            version = self.environ.get("KUCOIN_API_KEY_VERSION", version)
        credentials = Credentials(values["key"], values["secret"], values["passphrase"], version)
        return Found(credentials, source)

    def missing_help(self, profile: Profile) -> str:
        names = list(self.env_names(profile).values())
        text = f"No API key for profile {profile.name!r}. "
        if self.backend is not None:
            text += "Enter it in Settings → Profiles and keys, or set "
        else:
            text += "There is no keyring on this system; set "
        text += ", ".join(names)
        if profile.kind == KUCOIN:
            text += f" (or {', '.join(LEGACY_ENV.values())})"
        return text + " in the environment."

    def _from_keyring(self, profile: Profile) -> dict[str, str] | None:
        if self.backend is None:
            return None
        try:
            values = {f: self.backend.get_password(SERVICE, _user(profile, f)) for f in FIELDS}
        except Exception as exc:  # a locked or broken keyring: say so, fall back to env
            log.warning("keyring read failed for profile %s: %s", profile.name, type(exc).__name__)
            return None
        return values if all(values.values()) else None  # type: ignore[return-value]

    def _from_env(self, profile: Profile) -> dict[str, str] | None:
        for names in (self.env_names(profile), LEGACY_ENV if profile.kind == KUCOIN else None):
            if names is None:
                continue
            values = {field: self.environ.get(name, "") for field, name in names.items()}
            if all(values.values()):
                return values
        return None

    # -- writing -----------------------------------------------------------------------------

    def save(self, profile: Profile, key: str, secret: str, passphrase: str) -> None:
        if self.backend is None:
            raise NoKeyringError(self.missing_help(profile))
        values = {"key": key.strip(), "secret": secret.strip(), "passphrase": passphrase}
        empty = [field for field, value in values.items() if not value]
        if empty:
            raise ValueError(f"{', '.join(empty)}: required")
        REDACTOR.add(*values.values())
        for field, value in values.items():
            self.backend.set_password(SERVICE, _user(profile, field), value)

    def delete(self, profile: Profile) -> None:
        if self.backend is None:
            return
        from keyring.errors import PasswordDeleteError

        for field in FIELDS:
            try:
                self.backend.delete_password(SERVICE, _user(profile, field))
            except PasswordDeleteError:
                pass  # nothing stored for this field


def _user(profile: Profile, field: str) -> str:
    return f"{profile.name}/{field}"
