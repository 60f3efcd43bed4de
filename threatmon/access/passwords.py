"""Passwords of local accounts: what makes one acceptable, and how it is kept.

Passwords are hashed with argon2id (``argon2-cffi`` defaults, RFC 9106 low-memory
profile); only the hash is stored. Checking a sign-in always runs one verification, also
when there is no hash to check against, so a wrong name takes as long as a wrong password.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from threatmon.errors import Problem

MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this keeps a sign-in with an unknown name as slow as a real one.
    # Made on first use, not at import: a hash costs 0.3 s of a fresh server's first page.
    return _hasher.hash("threatmon: no such user")


def check_password(password: str, name: str) -> list[Problem]:
    """Why ``password`` is not acceptable for ``name``; empty when it is."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem(
                None,
                "password",
                None,
                f"A password needs at least {MIN_PASSWORD_LENGTH} characters; "
                f"this one has {len(password)}.",
            )
        )
    if name and name.lower() in password.lower():
        problems.append(Problem(None, "password", None, "A password must not contain the name."))
    return problems


def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash; False without one (an unknown
    name, an OIDC account), after as long a verification as with one."""
    try:
        matches = _hasher.verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matches and bool(stored)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was hashed with weaker settings than today's (then the password
    is hashed again at its next successful sign-in)."""
    return _hasher.check_needs_rehash(stored)
