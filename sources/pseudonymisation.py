"""The pseudonymisation secret (docs/privacy.md): from the environment or a key file, never from the repository.

The pseudonym itself is computed by `sources.identity.pseudonym` from the parsed identity number and this secret.
Every environment, demo included, takes only a key of at least MIN_KEY_BYTES bytes, and only from a key file that
group and others cannot access.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

MIN_KEY_BYTES = 32  # HMAC-SHA256's own block of security: a shorter secret can be guessed or mistyped


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymisation key, with a message for the data team."""


def _checked(secret: str, where: str) -> bytes:
    if not secret:
        raise PseudonymKeyError(f"{where} is empty")
    key = secret.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"{where} is {len(key)} bytes long; a pseudonymisation key needs at least {MIN_KEY_BYTES} "
            "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return key


def _read_key_file(key_file: Path) -> bytes:
    mode = stat.S_IMODE(key_file.stat().st_mode)
    if mode & 0o077:
        raise PseudonymKeyError(
            f"pseudonym key file {key_file} is accessible to group or others (mode {mode:04o}); "
            f"run `chmod 600 {key_file}`"
        )
    return _checked(key_file.read_text(encoding="utf-8").strip(), f"pseudonym key file {key_file}")


def check_key(key: str | None, key_file: Path | None, environment: str) -> None:
    """Raise PseudonymKeyError unless a run could get a key: the configured one is usable, or this is the demo and
    its key file is still to be created. Creates nothing (for sensors and schedules deciding whether to start)."""
    if key:
        _checked(key, "FOLLOWUP_PSEUDONYM_KEY")
    elif key_file and key_file.exists():
        _read_key_file(key_file)
    elif environment != "demo":
        raise PseudonymKeyError(
            "no pseudonymisation key configured: set FOLLOWUP_PSEUDONYM_KEY or pseudonym_key_file "
            "(a production configuration refuses to run without one)"
        )
    elif key_file is None:
        raise PseudonymKeyError("demo environment without a pseudonym_key_file to create")


def load_key(key: str | None, key_file: Path | None, environment: str, create_for_demo: bool = True) -> bytes:
    """The secret: FOLLOWUP_PSEUDONYM_KEY, else the key file; in the demo a new random key file (0600)."""
    if key:
        return _checked(key, "FOLLOWUP_PSEUDONYM_KEY")
    if key_file and key_file.exists():
        return _read_key_file(key_file)
    check_key(key, key_file, environment)
    if not create_for_demo:
        raise PseudonymKeyError("demo environment without a pseudonym_key_file to create")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32))
    return _read_key_file(key_file)
