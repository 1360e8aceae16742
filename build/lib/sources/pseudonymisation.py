"""The pseudonymisation secret (docs/privacy.md): from the environment or a key file, never from the repository.

The pseudonym itself is computed by `sources.identity.pseudonym` from the parsed identity number and this secret.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymisation key, with a message for the data team."""


def load_key(key: str | None, key_file: Path | None, environment: str, create_for_demo: bool = True) -> bytes:
    """The secret: FOLLOWUP_PSEUDONYM_KEY, else the key file; in the demo a new random key file (0600)."""
    if key:
        return key.encode("utf-8")
    if key_file and key_file.exists():
        secret = key_file.read_text(encoding="utf-8").strip()
        if not secret:
            raise PseudonymKeyError(f"pseudonym key file {key_file} is empty")
        return secret.encode("utf-8")
    if environment != "demo":
        raise PseudonymKeyError(
            "no pseudonymisation key configured: set FOLLOWUP_PSEUDONYM_KEY or pseudonym_key_file "
            "(a production configuration refuses to run without one)"
        )
    if key_file is None or not create_for_demo:
        raise PseudonymKeyError("demo environment without a pseudonym_key_file to create")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32))
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")
