"""The identity store's cryptography: AES-GCM encryption of direct identifiers and keyed
pseudonyms (HMAC-SHA256 of normalised identifiers), both derived from RARECARE_DATA_KEY.

Nothing here touches the database; ``service.py`` stores what these functions return."""

from __future__ import annotations

import hmac
import json
import os
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from json.encoder import encode_basestring as _json_string

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rarecare.knowledge import fold

KEY_VERSION = 1


@dataclass(frozen=True)
class Identity:
    """Direct identifiers: only ever stored encrypted."""

    full_name: str
    birth_date: date
    national_id: str = ""  # CCCD
    insurance_number: str = ""
    phone: str = ""
    address: str = ""
    guardian: str = ""

    def to_json(self) -> bytes:
        """Positional JSON (compact and fast: bulk imports encrypt a million of these). The
        same text as ``json.dumps(list, ensure_ascii=False)``, without building an encoder per
        call."""
        fields = (
            self.full_name,
            self.birth_date.isoformat(),
            self.national_id,
            self.insurance_number,
            self.phone,
            self.address,
            self.guardian,
        )
        return ("[" + ", ".join(map(_json_string, fields)) + "]").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Identity:
        data = json.loads(raw)
        if isinstance(data, dict):  # the keyed form
            data = [data[f] for f in IDENTITY_FIELDS]
        name, born, *rest = data
        return cls(name, date.fromisoformat(born), *rest)


IDENTITY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Identity))


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=SHA256(), length=32, salt=None, info=f"rarecare/{purpose}/v{KEY_VERSION}".encode()
    ).derive(master)


class IdentityVault:
    """Encrypts identities and computes pseudonyms with keys derived from one master key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, "identity-encryption"))
        self._pseudonym_key = _derive(master_key, "pseudonym")

    def encrypt(self, identity: Identity, associated: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, identity.to_json(), associated)

    def decrypt(self, blob: bytes, associated: bytes = b"") -> Identity:
        return Identity.from_json(self._aead.decrypt(blob[:12], blob[12:], associated))

    def pseudonym(self, identity: Identity) -> str:
        """The same person gives the same pseudonym at every centre: keyed on the national ID
        (its digits, full-width ones too) when known, else on the exact name (diacritics
        kept: "Lê Văn Lân" is not "Lê Văn Lan") and the date of birth."""
        national = id_digits(identity.national_id)
        basis = (
            f"cccd:{national}"
            if len(national) >= 9
            else f"name:{name_key(identity.full_name)}|{identity.birth_date.isoformat()}"
        )
        return self._keyed(basis)

    def match_key(self, identity: Identity) -> str:
        """A key shared by near-homonyms: the name without diacritics, case or punctuation and
        the date of birth. Records with the same match key but another pseudonym are flagged
        as possible duplicates for a person to review, never merged or refused."""
        return self._keyed(f"match:{fold(identity.full_name)}|{identity.birth_date.isoformat()}")

    def legacy_pseudonym(self, identity: Identity) -> str:
        """The name-keyed pseudonym of records registered before names kept their diacritics
        (the folded name): a registration matching one is flagged as a possible duplicate."""
        return self._keyed(f"name:{fold(identity.full_name)}|{identity.birth_date.isoformat()}")

    def _keyed(self, basis: str) -> str:
        digest = hmac.digest(self._pseudonym_key, basis.encode(), "sha256")
        return "RC-" + base32(digest[:10])


def name_key(name: str) -> str:
    """A name compared as written: Unicode NFC (one code point per accented letter, however it
    was typed), case-folded, single-spaced; diacritics are kept."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


def id_digits(value: str) -> str:
    """The ASCII digits of an identifier number: NFKC first, so full-width (０１２…) and other
    compatibility digits count as the digits they are."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", value) if "0" <= ch <= "9")


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # every 10-bit group as two characters


def base32(data: bytes) -> str:
    """RFC 4648 base32 of a whole number of 5-byte groups, without padding: the same text as
    ``base64.b32encode`` (pure Python in CPython 3.11, and a sixth of an import's time)."""
    assert len(data) % 5 == 0
    n = int.from_bytes(data, "big")
    return "".join(_B32_PAIRS[(n >> shift) & 1023] for shift in range(len(data) * 8 - 10, -1, -10))
