import unicodedata
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
    b = Identity(full_name="TRẦN  VĂN BÌNH", birth_date=date(2019, 1, 2))  # case, spaces
    c = Identity(full_name="Trần Văn Bình", birth_date=date(2019, 1, 3))
    assert vault.pseudonym(a) == vault.pseudonym(b) != vault.pseudonym(c)


def test_names_keep_their_diacritics_and_near_homonyms_share_a_match_key(
    vault: IdentityVault,
) -> None:
    lan = Identity(full_name="Lê Văn Lan", birth_date=date(2019, 1, 2))
    lan_hat = Identity(full_name="Lê Văn Lân", birth_date=date(2019, 1, 2))
    typed_apart = Identity(  # "Lê Văn Lân" typed with combining marks (NFD)
        full_name=unicodedata.normalize("NFD", "Lê Văn Lân"), birth_date=date(2019, 1, 2)
    )
    assert vault.pseudonym(lan) != vault.pseudonym(lan_hat) == vault.pseudonym(typed_apart)
    assert vault.match_key(lan) == vault.match_key(lan_hat)


def test_full_width_digits_in_a_national_id_are_the_same_digits(vault: IdentityVault) -> None:
    full_width = Identity(
        full_name="Nguyễn Thị Lan",
        birth_date=date(2021, 3, 14),
        national_id="００１３２１０１２３４５",
    )
    assert vault.pseudonym(full_width) == vault.pseudonym(LAN)


def test_another_key_gives_other_pseudonyms(vault: IdentityVault) -> None:
    assert IdentityVault(b"z" * 32).pseudonym(LAN) != vault.pseudonym(LAN)
