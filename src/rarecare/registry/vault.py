"""The identity store's cryptography: AES-GCM encryption of direct identifiers under the data
key (RARECARE_DATA_KEY) of each key version, and keyed pseudonyms (HMAC-SHA256 of normalised
identifiers) under a pseudonym key that outlives data-key rotations: it is derived from the
first data key and kept in the database wrapped (encrypted) under the current one, so rotating
the data key re-encrypts identities and leaves every pseudonym, audit event and earlier export
linkable. A key check value lets the database recognise the key it was set up with.

Nothing here touches the database; ``keys.py`` and ``service.py`` store what these return."""

from __future__ import annotations

import hmac
import json
import os
import re
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


def check_value(master_key: bytes) -> str:
    """A short fingerprint of a data key (safe to store: it reveals nothing of the key)."""
    return hmac.digest(_derive(master_key, "key-check"), b"rarecare key check", "sha256")[:12].hex()


def wrap(master_key: bytes, secret: bytes) -> bytes:
    """``secret`` encrypted under a data key (to keep the pseudonym key in the database)."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_derive(master_key, "key-wrap")).encrypt(nonce, secret, b"wrap")


def unwrap(master_key: bytes, blob: bytes) -> bytes:
    return AESGCM(_derive(master_key, "key-wrap")).decrypt(blob[:12], blob[12:], b"wrap")


def legacy_pseudonym_key(master_key: bytes) -> bytes:
    """The pseudonym key of a database set up with ``master_key`` as its first data key."""
    return _derive(master_key, "pseudonym")


class KeyUnavailable(Exception):
    """An identity encrypted under a key version this vault does not hold."""


class IdentityVault:
    """Encrypts identities under the current data key (and decrypts those of older versions it
    was given), and computes pseudonyms with the pseudonym key."""

    def __init__(
        self,
        master_key: bytes,
        *,
        version: int = 1,
        pseudonym_key: bytes | None = None,
        previous: dict[int, bytes] | None = None,
    ) -> None:
        if len(master_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self.version = version
        self._aeads = {version: AESGCM(_derive(master_key, "identity-encryption"))}
        for older, key in (previous or {}).items():
            self._aeads[older] = AESGCM(_derive(key, "identity-encryption"))
        self._aead = self._aeads[version]
        self._pseudonym_key = pseudonym_key or legacy_pseudonym_key(master_key)

    def encrypt(self, identity: Identity, associated: bytes = b"") -> bytes:
        """Under the current key version (``self.version``: store it with the blob)."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, identity.to_json(), associated)

    def decrypt(self, blob: bytes, associated: bytes = b"", version: int | None = None) -> Identity:
        """An identity encrypted under key ``version`` (default: the current one)."""
        aead = self._aeads.get(self.version if version is None else version)
        if aead is None:
            raise KeyUnavailable(f"no key of version {version}")
        return Identity.from_json(aead.decrypt(blob[:12], blob[12:], associated))

    def wrapped_pseudonym_key(self, master_key: bytes) -> bytes:
        """The pseudonym key wrapped under ``master_key`` (a new data key, at rotation)."""
        return wrap(master_key, self._pseudonym_key)

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

    def blind_keys(self, identity: Identity) -> list[tuple[str, str]]:
        """(kind, digest) of the identifiers a person can be found by — the national ID, the
        insurance number, the exact full name — as keyed hashes of their normalised values (a
        blind index: the database can match them, never read them back)."""
        out = []
        for kind, value in (
            ("cccd", identity.national_id),
            ("insurance", identity.insurance_number),
            ("name", identity.full_name),
        ):
            digest = self.blind_key(kind, value)
            if digest:
                out.append((national_id_kind(value) if kind == "cccd" else kind, digest))
        return out

    def blind_key(self, kind: str, value: str) -> str:
        """The digest ``kind`` (cccd, insurance, name) of ``value`` is found under; "" for a
        value too short to identify anyone."""
        if kind == "cccd":
            normal = id_digits(value)
            normal = normal if len(normal) >= 9 else ""
        elif kind == "insurance":
            folded = unicodedata.normalize("NFKC", value).upper()
            normal = _NOT_ASCII_ALNUM.sub("", folded)
            normal = normal if len(normal) >= 10 else ""
        elif kind == "name":
            normal = name_key(value)
            normal = normal if len(normal) >= 2 else ""
        else:
            raise ValueError(f"no blind index of {kind!r}")
        if not normal:
            return ""
        return hmac.digest(self._pseudonym_key, f"blind:{kind}:{normal}".encode(), "sha256")[
            :16
        ].hex()

    def _keyed(self, basis: str) -> str:
        digest = hmac.digest(self._pseudonym_key, basis.encode(), "sha256")
        return "RC-" + base32(digest[:10])


def name_key(name: str) -> str:
    """A name compared as written: Unicode NFC (one code point per accented letter, however it
    was typed), case-folded, single-spaced; diacritics are kept."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


def national_id_kind(value: str) -> str:
    """How a national ID is kept in the blind index: "cmnd" for a former 9-digit identity
    card (still accepted, flagged for the 12-digit CCCD that replaced it), else "cccd"; both
    are found by the same search."""
    return "cmnd" if len(id_digits(value)) == 9 else "cccd"


def id_digits(value: str) -> str:
    """The ASCII digits of an identifier number: NFKC first, so full-width (０１２…) and other
    compatibility digits count as the digits they are."""
    if value.isascii():  # NFKC leaves ASCII as it is
        return value if value.isdigit() else _NOT_DIGIT.sub("", value)
    return _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", value))


_NOT_DIGIT = re.compile("[^0-9]+")
_NOT_ASCII_ALNUM = re.compile("[^0-9A-Za-z]+")


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]  # every 10-bit group as two characters


def base32(data: bytes) -> str:
    """RFC 4648 base32 of a whole number of 5-byte groups, without padding: the same text as
    ``base64.b32encode`` (pure Python in CPython 3.11, and a sixth of an import's time)."""
    assert len(data) % 5 == 0
    n = int.from_bytes(data, "big")
    return "".join(_B32_PAIRS[(n >> shift) & 1023] for shift in range(len(data) * 8 - 10, -1, -10))
