"""The settings file: the list of profiles and which one opens by default.

JSON in the platform's user config directory (platformdirs), written atomically. It holds
names and non-secret options only; `save` refuses to write anything that looks like a secret
field, so a future field added carelessly fails a test instead of reaching the disk.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from kcterm.private_files import open_private, private_dir
from kcterm.profiles.profile import (
    EMBEDDED,
    KUCOIN,
    PRACTICE_NAME,
    Profile,
    ProfileError,
    default_profiles,
)

FILE_NAME = "profiles.json"
FORMAT_VERSION = 1
# Field names that would mean a secret was about to be written (checked on every save).
FORBIDDEN_FIELDS = frozenset({"key", "api_key", "secret", "api_secret", "passphrase"})
log = logging.getLogger("kcterm.profiles")


def default_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("kcterm", appauthor=False))


class SettingsFile:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_config_dir() / FILE_NAME
        self.profiles: dict[str, Profile] = {p.name: p for p in default_profiles()}
        self.active = PRACTICE_NAME
        self.problems: list[str] = []  # what could not be read, for the dialog to show
        self.load()

    # -- reading -----------------------------------------------------------------------------

    def load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            # A damaged file must not stop the terminal from opening on practice.
            self.problems.append(f"{self.path} could not be read ({exc}); using defaults")
            log.warning("%s", self.problems[-1])
            return
        for item in data.get("profiles", []) if isinstance(data, dict) else []:
            try:
                profile = Profile.from_json(item)
            except ProfileError as exc:
                self.problems.append(f"a profile was skipped: {exc}")
                continue
            if profile.name in self.profiles and self.profiles[profile.name].kind != profile.kind:
                self.problems.append(f"profile {profile.name!r} cannot change its kind")
                continue
            self.profiles[profile.name] = profile
        active = data.get("active") if isinstance(data, dict) else None
        if isinstance(active, str) and active in self.profiles:
            self.active = active

    def get(self, name: str) -> Profile:
        """The profile called `name` (any letter case); KeyError naming the choices if none."""
        if name in self.profiles:
            return self.profiles[name]
        for profile in self.profiles.values():
            if profile.name.lower() == name.lower():
                return profile
        raise KeyError(f"no profile {name!r}; profiles: {', '.join(self.names())}")

    def names(self) -> list[str]:
        return list(self.profiles)

    # -- changing ----------------------------------------------------------------------------

    def put(self, profile: Profile) -> None:
        old = self.profiles.get(profile.name)
        if old is not None and old.kind != profile.kind:
            raise ProfileError(f"name: {profile.name!r} is already a {old.kind} profile")
        if profile.kind in (EMBEDDED, KUCOIN) and old is None:
            # One of each is enough; extra KuCoin keys would be custom profiles with its URL.
            raise ProfileError(f"kind: there is already a {profile.kind} profile")
        self.profiles[profile.name] = profile

    def remove(self, name: str) -> None:
        profile = self.get(name)
        if profile.kind in (EMBEDDED, KUCOIN):
            raise ProfileError(f"name: the {profile.name} profile is built in")
        del self.profiles[profile.name]
        if self.active == profile.name:
            self.active = PRACTICE_NAME

    def save(self) -> None:
        data: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "active": self.active,
            "profiles": [p.to_json() for p in self.profiles.values()],
        }
        for item in data["profiles"]:
            leaked = FORBIDDEN_FIELDS & set(item)
            if leaked:  # never reached by today's Profile; guards the next field added
                raise RuntimeError(f"refusing to write secret fields {sorted(leaked)} to disk")
        private_dir(self.path.parent)
        tmp = self.path.with_suffix(".tmp")
        with open_private(tmp) as out:  # 0600 from the first byte; os.replace keeps the mode
            out.write(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, self.path)  # a crash mid-write leaves the old file, never half a file
