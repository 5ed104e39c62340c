"""Errors of the jobs domain.

Two families: API errors (subclasses of :class:`~evodash.core.errors.AppError`, rendered
by the one error handler) and :class:`JobFailure`, raised by a pipeline step to end an
attempt. A failure says whether another attempt can help (``retryable``): an invalid
image fails at once, an Evolution server that is down is retried with backoff.
"""

from __future__ import annotations

from typing import ClassVar

from evodash.core.errors import Conflict, NotFound


class JobNotFound(NotFound):
    code = "job_not_found"

    def __init__(self, job_id: int) -> None:
        super().__init__(f"No image processing job with id {job_id}.")


class JobFileNotFound(NotFound):
    code = "job_file_not_found"

    def __init__(self, what: str) -> None:
        super().__init__(f"This job has no {what} (yet): it is stored once the image is checked.")


class JobStateConflict(Conflict):
    code = "job_state_conflict"

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"Cannot {action} a job that is {status}.")


class JobFailure(Exception):
    """Ends the current attempt with a message meant for people."""

    retryable: ClassVar[bool] = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientJobFailure(JobFailure):
    """Something outside the job failed (Evolution down, a timeout): try again later."""

    retryable = True


class PermanentJobFailure(JobFailure):
    """Retrying cannot help (not an image, a decompression bomb, the message is gone)."""

    retryable = False
