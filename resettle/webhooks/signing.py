"""Signing secrets: made, kept encrypted, and used to sign each delivery.

The secret must be recoverable (each delivery is signed with it), so it cannot be hashed like a password or
an API token. It is encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from
WEBHOOK_SECRETS_KEY, or from SECRET_KEY when that is not set: a copy of the database or of a backup alone
does not let anyone sign messages that partners would trust. WEBHOOK_SECRETS_KEY may list several keys,
comma-separated: the first encrypts, any decrypts, so a key can be rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)  # nosec B105
SIGNATURE_HEADER = "Resettle-Signature"
TIMESTAMP_HEADER = "Resettle-Timestamp"


class SecretUnreadable(Exception):
    """The stored secret was encrypted under a key this app no longer has (see WEBHOOK_SECRETS_KEY)."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _fernet_for(material: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"resettle webhook signing secrets").derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _cipher() -> MultiFernet:
    configured = current_app.config.get("WEBHOOK_SECRETS_KEY") or ""
    keys = [key.strip() for key in configured.split(",") if key.strip()] or [str(current_app.config["SECRET_KEY"])]
    return MultiFernet([_fernet_for(key) for key in keys])


def encrypt_secret(secret: str) -> str:
    return _cipher().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("the signing secret cannot be decrypted: register the endpoint again") from None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Resettle-Signature` header value: HMAC-SHA256 of "<timestamp>.<body>" under the secret."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """What a partner does on receipt (also used by the tests): compare in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)
