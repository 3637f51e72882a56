from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from rarecare.registry.vault import Identity, IdentityVault

LAN = Identity(full_name="Nguyễn Thị Lan", birth_date=date(2021, 3, 14), national_id="001321012345")


def test_identities_are_encrypted_and_bound_to_their_record(vault: IdentityVault) -> None:
    blob = vault.encrypt(LAN, associated=b"7")
    assert b"Lan" not in blob
    assert b"001321012345" not in blob
    assert vault.decrypt(blob, associated=b"7") == LAN
    with pytest.raises(InvalidTag):
        vault.decrypt(blob, associated=b"8")  # moved to another record


def test_the_same_person_gets_the_same_pseudonym_anywhere(vault: IdentityVault) -> None:
    again = Identity(
        full_name="NGUYEN THI LAN", birth_date=date(2021, 3, 14), national_id="0013 2101 2345"
    )
    assert vault.pseudonym(LAN) == vault.pseudonym(again)
    assert vault.pseudonym(LAN).startswith("RC-")


def test_without_a_national_id_the_name_and_birth_date_key_the_pseudonym(
    vault: IdentityVault,
) -> None:
    a = Identity(full_name="Trần Văn Bình", birth_date=date(2019, 1, 2))
    b = Identity(full_name="tran van binh", birth_date=date(2019, 1, 2))
    c = Identity(full_name="Trần Văn Bình", birth_date=date(2019, 1, 3))
    assert vault.pseudonym(a) == vault.pseudonym(b) != vault.pseudonym(c)


def test_another_key_gives_other_pseudonyms(vault: IdentityVault) -> None:
    assert IdentityVault(b"z" * 32).pseudonym(LAN) != vault.pseudonym(LAN)
