"""The tables that hold identities encrypted under the data key, besides the registry's own:
each feature registers its table here (at import), and the key rotation re-encrypts them all
without knowing the features. A table has ``key_version`` and ``blob`` columns and an id column
whose value is bound to the ciphertext as associated data."""

from __future__ import annotations

ENCRYPTED: dict[str, str] = {}  # table name -> the id column bound as associated data


def register(table: str, id_column: str) -> None:
    ENCRYPTED[table] = id_column
