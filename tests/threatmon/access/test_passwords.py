"""Password rules and hashing, without an accounts database."""

from threatmon.access.passwords import (
    MIN_PASSWORD_LENGTH,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_a_stored_hash_verifies_only_its_own_password():
    stored = hash_password("correct horse battery")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong horse battery")
    assert not needs_rehash(stored)


def test_without_a_hash_nothing_verifies():
    assert not verify_password(None, "threatmon: no such user")
    assert not verify_password("not an argon2 hash", "anything")


def test_a_short_password_or_one_holding_the_name_is_refused():
    assert check_password("x" * MIN_PASSWORD_LENGTH, "ana") == []
    reasons = [p.reason for p in check_password("ana-short", "ana")]
    assert len(reasons) == 2
