"""Connection profiles: where kcterm trades (embedded, KuCoin live, a custom address), the
settings file that lists them, the keyring (or environment) that holds their secrets, and the
"Test connection" check. No Qt here: the settings dialog (kcterm.ui.settings_dialog) and the
command line both use it."""

from kcterm.profiles.profile import (
    CUSTOM,
    EMBEDDED,
    KUCOIN,
    KUCOIN_REST_URL,
    Profile,
    ProfileError,
    default_profiles,
)
from kcterm.profiles.secrets import Credentials, NoKeyringError, SecretStore
from kcterm.profiles.settings_file import SettingsFile

__all__ = [
    "CUSTOM",
    "EMBEDDED",
    "KUCOIN",
    "KUCOIN_REST_URL",
    "Credentials",
    "NoKeyringError",
    "Profile",
    "ProfileError",
    "SecretStore",
    "SettingsFile",
    "default_profiles",
]
