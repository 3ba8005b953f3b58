import pytest
from django.core.exceptions import ValidationError

from projects.models import validate_tax_id


@pytest.mark.parametrize("value", ["04595257", "22099131", "10458575", "10458574"])
def test_valid_tax_ids_pass_the_checksum_including_the_seventh_digit_seven_rule(value):
    validate_tax_id(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345678", "tax_id_checksum"),
        ("0459525", "tax_id_format"),
        ("0459525a", "tax_id_format"),
        ("０４５９５２５７", "tax_id_format"),
    ],
)
def test_tax_id_with_a_wrong_digit_or_shape_is_refused_with_its_reason(value, code):
    with pytest.raises(ValidationError) as raised:
        validate_tax_id(value)
    assert raised.value.code == code
