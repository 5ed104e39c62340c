"""Reading the QR codes the simulator and evodash hand out, as a phone's scanner would."""

from __future__ import annotations

import base64
import io

import zxingcpp
from PIL import Image

PNG_DATA_URL = "data:image/png;base64,"


def decode_qr(data_url: str) -> str:
    """The text of the one QR code in a PNG data URL.

    Only QR codes are looked for: a row of a QR code's modules can also read as a short
    one-dimensional barcode (about 1 image in 400 of the simulator's gave a Codabar or UPC-E
    beside the QR code), which a phone's WhatsApp scanner never looks for either."""
    assert data_url.startswith(PNG_DATA_URL)
    image = Image.open(io.BytesIO(base64.b64decode(data_url[len(PNG_DATA_URL) :])))
    assert image.format == "PNG"
    [result] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    text: str = result.text
    return text
