"""The unified social credit code check (GB 32100-2015, with the GB 11714 organisation code inside)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portfolio.rules.credit_code import (
    ALPHABET,
    check_character,
    credit_code_problem,
    organisation_check_character,
    validate_credit_code,
)
from tests.factories import FirmFactory

GB_EXAMPLE = "91350100M000100Y43"


def make_code(registration: str, region: str, organisation8: str) -> str:
    """A valid code: the organisation code gets its own check, then the whole its check."""
    first17 = registration + region + organisation8 + organisation_check_character(organisation8)
    return first17 + check_character(first17)


COMPUTED = [
    make_code("91", "370200", "MA3C4D5E"),  # enterprise, Qingdao
    make_code("12", "370600", "10000004"),  # institution, Yantai; organisation check value 11 -> "0"
    make_code("93", "371000", "10000018"),  # farmers' co-operative, Weihai; check value 10 -> "X"
    make_code("52", "110000", "08765432"),  # social organisation, Beijing
]


def test_gb_example_is_valid():
    assert credit_code_problem(GB_EXAMPLE) is None
    validate_credit_code(GB_EXAMPLE)


@pytest.mark.parametrize("code", COMPUTED)
def test_computed_codes_are_valid(code):
    assert credit_code_problem(code) is None


def test_organisation_check_values_10_and_11_are_x_and_0():
    assert COMPUTED[1][16] == "0"
    assert COMPUTED[2][16] == "X"


def test_gb_example_check_character_is_3():
    assert check_character(GB_EXAMPLE[:17]) == "3"


@pytest.mark.parametrize("code", [GB_EXAMPLE, *COMPUTED])
def test_every_other_check_character_is_rejected(code):
    for wrong in ALPHABET.replace(code[17], ""):
        problem = credit_code_problem(code[:17] + wrong)
        assert problem and "check character is wrong" in problem and f"expected {code[17]}" in problem


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_alphabet_are_rejected(letter):
    code = GB_EXAMPLE[:8] + letter + GB_EXAMPLE[9:]
    problem = credit_code_problem(code)
    assert problem and f"Characters {letter} are not allowed" in problem


@pytest.mark.parametrize("code", [GB_EXAMPLE[:17], GB_EXAMPLE + "0", "", GB_EXAMPLE[:10]])
def test_wrong_length_is_rejected(code):
    problem = credit_code_problem(code)
    assert problem and f"this one has {len(code)}" in problem


def test_organisation_code_failing_its_own_check_is_rejected():
    first16 = GB_EXAMPLE[:16]
    wrong_org_check = "5"  # the example's organisation code checks to 4
    first17 = first16 + wrong_org_check
    code = first17 + check_character(first17)  # the overall check still passes
    assert credit_code_problem(code) == "The organisation code inside (positions 9-17) fails its own check."


def test_validator_raises_with_its_code():
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(GB_EXAMPLE[:17] + "4")
    assert caught.value.code == "invalid_credit_code"


@pytest.mark.django_db
def test_firm_full_clean_rejects_a_bad_code_on_its_field():
    firm = FirmFactory.build(credit_code=GB_EXAMPLE[:17] + "4")
    with pytest.raises(ValidationError) as caught:
        firm.full_clean()
    assert list(caught.value.message_dict) == ["credit_code"]


@pytest.mark.django_db
def test_firm_full_clean_accepts_a_valid_code():
    FirmFactory.build(credit_code=COMPUTED[0]).full_clean()
