"""The QR codes the simulator draws, read back as a phone would."""

from __future__ import annotations

import base64
import io

import zxingcpp
from PIL import Image

from evodash.simulator.qr import new_qr_code, qr_png_data_url
from tests.qr import PNG_DATA_URL, decode_qr

#: A payload and mask whose QR code also reads as a Codabar ("A65B") along one row of its
#: modules: found among 20,000 random ones (about 1 in 400 gave a one-dimensional extra).
CODE = (
    "2@lJ1PVdIPrm+3Gxo5DQYfHMkHT55pqavAoqZIZ68T4vRbQRJGyOzT6l4/QwTUZ7oh,"
    "ssf1t3ar3Rg5bYEOxOGUhXuHCE7ZmV+qTqRPshoSWcw=,"
    "FaAmykIahuIn0QU7rEq6gsQ+Hu8zyS8WRWkJxIOAcFo=,"
    "V3yp+liutaHmdxbh3vFbw1ATu7HlEUaquUvsMz9lXws="
)


def test_a_qr_code_that_also_reads_as_a_codabar_decodes_to_its_payload_alone() -> None:
    data_url = qr_png_data_url(CODE, mask=6)
    png = base64.b64decode(data_url.removeprefix(PNG_DATA_URL))
    everything = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    formats = {r.format for r in everything}
    assert zxingcpp.BarcodeFormat.Codabar in formats, "the image no longer shows the case"
    assert decode_qr(data_url) == CODE


def test_the_simulator_s_qr_codes_scan_whatever_their_mask() -> None:
    for _ in range(16):
        code = new_qr_code()
        assert decode_qr(qr_png_data_url(code)) == code
