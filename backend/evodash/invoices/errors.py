"""Errors raised by the invoice-extraction library.

The library is pure (no FastAPI, no database), so these do not derive from
``evodash.core.errors.AppError``; the job worker or an endpoint maps them to its own
error type. Every message is meant to be shown to a person as is.
"""

from __future__ import annotations


class InvoiceError(ValueError):
    """Base class: the input is not what it claims to be."""


class InvalidPix(InvoiceError):
    """A PIX BR Code is malformed or its CRC16 does not match."""


class InvalidBoleto(InvoiceError):
    """A boleto barcode or typeable line is malformed or a check digit is wrong."""


class InvalidCnpj(InvoiceError):
    """A CNPJ has the wrong shape or its check digits do not verify."""


class InvalidImage(InvoiceError):
    """The bytes are not an acceptable image (type, size, pixel count, corruption)."""
