from __future__ import annotations

import io
from decimal import Decimal

import segno
from PIL import Image, ImageFilter

from evodash.invoices.decode import classify, decode_codes
from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import degrade_like_photo, itf_image, qr_image

from .conftest import InvoiceSpec


def open_bytes(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


class TestRenderedInvoice:
    def test_finds_pix_and_boleto(self, invoice_jpeg: bytes, spec: InvoiceSpec) -> None:
        codes = decode_codes(open_bytes(invoice_jpeg))
        by_kind = {c.kind: c for c in codes}
        assert set(by_kind) == {"pix", "boleto"}
        pix = by_kind["pix"].pix
        assert pix is not None
        assert (pix.key, pix.merchant_name, pix.merchant_city) == (
            "11222333000181",
            "Companhia Exemplo",
            "Sao Paulo",
        )
        assert (pix.amount, pix.txid) == (Decimal("1234.56"), "FAT2025001")
        boleto = by_kind["boleto"].boleto
        assert boleto is not None
        assert by_kind["boleto"].format == "ITF"
        assert boleto.barcode == spec.barcode
        assert boleto.amount == spec.total

    def test_photo_like_variant_still_decodes_the_qr(
        self, invoice_jpeg: bytes, spec: InvoiceSpec
    ) -> None:
        photo = degrade_like_photo(invoice_jpeg, angle=4.0, blur=1.3, quality=45, seed=7)
        codes = decode_codes(open_bytes(photo))
        pix = next(c.pix for c in codes if c.pix)
        assert pix.payload == spec.pix_payload

    def test_deskew_pass_reads_a_tilted_itf(self, invoice_jpeg: bytes, spec: InvoiceSpec) -> None:
        photo = degrade_like_photo(invoice_jpeg, angle=5.0, blur=1.5, quality=40)
        codes = decode_codes(open_bytes(photo))
        boleto = next(c for c in codes if c.boleto)
        assert boleto.decode_pass == "deskewed"
        assert boleto.text == spec.barcode

    def test_small_low_contrast_photo_uses_second_pass(self, spec: InvoiceSpec) -> None:
        qr = qr_image(spec.pix_payload, box=300).convert("RGB")
        faded = Image.blend(qr, Image.new("RGB", qr.size, (150, 150, 150)), 0.8)
        faded = faded.resize((faded.width // 3, faded.height // 3)).filter(
            ImageFilter.GaussianBlur(0.8)
        )  # ~95 px wide, washed out: the first pass finds nothing
        codes = decode_codes(faded)
        assert [(c.kind, c.decode_pass) for c in codes] == [("pix", "enhanced")]


class TestClassify:
    def test_pix_with_bad_crc_is_reported_not_raised(self) -> None:
        payload = build_pix_payload("a@b.co", "Loja", "Rio")
        code = classify(payload[:-4] + "0000", "QRCode")
        assert code.kind == "pix"
        assert code.pix is None
        assert code.error is not None
        assert "CRC mismatch" in code.error

    def test_44_digits_with_wrong_check_digit(self) -> None:
        code = classify("0" * 44, "ITF")
        assert (code.kind, code.boleto) == ("boleto", None)
        assert code.error is not None

    def test_other_codes(self) -> None:
        assert classify("https://example.com", "QRCode").kind == "other"

    def test_transparent_png_qr_is_flattened_on_white(self, spec: InvoiceSpec) -> None:
        qr = segno.make_qr(spec.pix_payload)
        buf = io.BytesIO()
        qr.save(buf, kind="png", scale=6, dark="black", light=None)  # transparent background
        codes = decode_codes(open_bytes(buf.getvalue()))
        assert [c.kind for c in codes] == ["pix"]

    def test_nothing_to_find(self) -> None:
        assert decode_codes(Image.new("RGB", (640, 480), "white")) == []

    def test_itf_image_is_decodable_alone(self, spec: InvoiceSpec) -> None:
        strip = itf_image(spec.barcode, width=1200, height=120)
        codes = decode_codes(strip)
        assert [c.text for c in codes] == [spec.barcode]
