from __future__ import annotations

import pytest

from evodash.invoices.cnpj import (
    cnpj_check_digits,
    format_cnpj,
    is_valid_cnpj,
    is_valid_cpf,
    normalize_cnpj,
)
from evodash.invoices.errors import InvalidCnpj


class TestCnpj:
    @pytest.mark.parametrize(
        "value", ["11.222.333/0001-81", "11222333000181", "00.000.000/0001-91", " 11222333000181 "]
    )
    def test_valid(self, value: str) -> None:
        assert is_valid_cnpj(value)

    @pytest.mark.parametrize(
        "value",
        [
            "11.222.333/0001-80",  # second digit wrong
            "11.222.333/0001-91",  # first digit wrong
            "1122233300018",  # too short
            "112223330001811",  # too long
            "abc",
            "",
        ],
    )
    def test_invalid(self, value: str) -> None:
        assert not is_valid_cnpj(value)

    @pytest.mark.parametrize("digit", "0123456789")
    def test_all_same_digit_is_refused(self, digit: str) -> None:
        assert not is_valid_cnpj(digit * 14)

    def test_check_digits_by_hand(self) -> None:
        # 1*5+1*4+2*3+2*2+2*9+3*8+3*7+3*6+0+0+0+1*2 = 102; 102 % 11 = 3 → 11-3 = 8
        # then with the 8: ... = 120; 120 % 11 = 10 → 11-10 = 1
        assert cnpj_check_digits("112223330001") == "81"

    def test_alphanumeric_cnpj_from_2026(self) -> None:
        # Example published by the Receita Federal for the alphanumeric CNPJ.
        assert is_valid_cnpj("12.ABC.345/01DE-35")
        assert format_cnpj("12abc34501de35") == "12.ABC.345/01DE-35"

    def test_format_and_normalize(self) -> None:
        assert format_cnpj("11222333000181") == "11.222.333/0001-81"
        assert normalize_cnpj("11.222.333/0001-81") == "11222333000181"
        with pytest.raises(InvalidCnpj, match="not a valid CNPJ"):
            format_cnpj("11222333000180")


class TestCpf:
    def test_valid_and_invalid(self) -> None:
        assert is_valid_cpf("529.982.247-25")
        assert not is_valid_cpf("529.982.247-24")
        assert not is_valid_cpf("111.111.111-11")
