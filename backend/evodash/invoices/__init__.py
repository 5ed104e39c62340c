"""Invoice extraction: PIX BR Codes, boletos, CNPJs and OCR'd totals from images.

Pure and database-free; everything CPU-bound is synchronous so that the job worker
can run it in a thread or process pool. Entry point: :func:`extract.extract_invoice`.
"""
