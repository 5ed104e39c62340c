"""Invoice extraction: PIX BR Codes, boletos, CNPJs and OCR'd totals from images.

Pure and database-free; everything CPU-bound is synchronous so that the job worker
can run it in a thread or process pool. The job pipeline checks the image with
:func:`imaging.load_checked_image` and reads it with :func:`extract.extract_from_image`;
:func:`extract.extract_invoice` does both in one call (tests, scripts).
"""
