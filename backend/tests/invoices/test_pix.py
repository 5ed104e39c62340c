from __future__ import annotations

from decimal import Decimal

import pytest

from evodash.invoices.errors import InvalidPix
from evodash.invoices.pix import build_pix_payload, crc16_ccitt, parse_pix

# Example from Banco Central's BR Code manual (static code, random key, no amount).
BCB_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)


class TestCrc:
    def test_check_value_of_crc16_ccitt_false(self) -> None:
        # The catalogued check value of CRC-16/CCITT-FALSE over "123456789".
        assert crc16_ccitt(b"123456789") == 0x29B1


class TestParsePix:
    def test_bcb_manual_example(self) -> None:
        pix = parse_pix(BCB_EXAMPLE)
        assert pix.key == "123e4567-e12b-12d1-a456-426655440000"
        assert pix.key_type == "evp"
        assert pix.merchant_name == "Fulano de Tal"
        assert pix.merchant_city == "BRASILIA"
        assert pix.amount is None
        assert pix.txid == "***"
        assert pix.crc == "1D3D"
        assert (pix.currency, pix.country, pix.merchant_category_code) == ("986", "BR", "0000")
        assert not pix.is_dynamic

    def test_trailing_whitespace_from_copy_paste_is_ignored(self) -> None:
        assert parse_pix(f"  {BCB_EXAMPLE}\n").crc == "1D3D"

    def test_tampered_crc_names_expected_and_found(self) -> None:
        with pytest.raises(InvalidPix, match=r"expected 1D3D, found 1D3E"):
            parse_pix(BCB_EXAMPLE[:-4] + "1D3E")

    def test_tampered_content_fails_the_crc(self) -> None:
        tampered = BCB_EXAMPLE.replace("Fulano de Tal", "Fulano de Mal")
        with pytest.raises(InvalidPix, match="CRC mismatch"):
            parse_pix(tampered)

    def test_not_a_br_code(self) -> None:
        with pytest.raises(InvalidPix, match="CRC field"):
            parse_pix("https://example.com")

    def test_truncated_field_is_reported(self) -> None:
        body = "000201269900"  # field 26 claims 99 characters
        body += "6304"
        payload = body + f"{crc16_ccitt(body.encode()):04X}"
        with pytest.raises(InvalidPix, match="truncated"):
            parse_pix(payload)

    def test_dynamic_code_with_url(self) -> None:
        account = "0014br.gov.bcb.pix2525pix.example.com/qr/v2/abc"
        body = (
            f"00020101021226{len(account):02d}{account}52040000530398654045.00"
            "5802BR5905Loja 6006Cidade62070503***6304"
        )
        pix = parse_pix(body + f"{crc16_ccitt(body.encode()):04X}")
        assert pix.url == "pix.example.com/qr/v2/abc"
        assert pix.key is None
        assert pix.is_dynamic
        assert pix.point_of_initiation == "dynamic"
        assert pix.amount == Decimal("5.00")


class TestBuildPixPayload:
    def test_round_trip_with_amount_and_txid(self) -> None:
        payload = build_pix_payload(
            "+5511987654321", "José Açaí da Silva", "São Paulo", Decimal("1234.5"), "ABC123"
        )
        pix = parse_pix(payload)
        assert pix.key == "+5511987654321"
        assert pix.key_type == "phone"
        assert pix.merchant_name == "Jose Acai da Silva"
        assert pix.merchant_city == "Sao Paulo"
        assert pix.amount == Decimal("1234.50")
        assert pix.txid == "ABC123"
        assert "54071234.50" in payload

    def test_reproduces_the_bcb_example_exactly(self) -> None:
        payload = build_pix_payload(
            "123e4567-e12b-12d1-a456-426655440000", "Fulano de Tal", "BRASILIA"
        )
        assert payload == BCB_EXAMPLE

    def test_long_name_and_city_are_cut(self) -> None:
        pix = parse_pix(build_pix_payload("a@b.co", "N" * 40, "C" * 30))
        assert (len(pix.merchant_name), len(pix.merchant_city)) == (25, 15)
        assert pix.key_type == "email"

    @pytest.mark.parametrize("txid", ["has space", "x" * 26, "ação"])
    def test_bad_txid_is_refused(self, txid: str) -> None:
        with pytest.raises(InvalidPix, match="txid"):
            build_pix_payload("a@b.co", "N", "C", None, txid)

    def test_non_positive_amount_is_refused(self) -> None:
        with pytest.raises(InvalidPix, match="positive"):
            build_pix_payload("a@b.co", "N", "C", Decimal("0"))
