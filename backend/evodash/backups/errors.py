from __future__ import annotations

from evodash.core.errors import Conflict, Unprocessable


class BackupPassphraseWrong(Unprocessable):
    code = "backup_passphrase_wrong"

    def __init__(self, detail: str = "The passphrase does not open this backup.") -> None:
        super().__init__(
            detail, extra={"errors": [{"field": "passphrase", "message": "does not open it"}]}
        )


class BackupInvalid(Unprocessable):
    code = "backup_invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, extra={"errors": [{"field": "backup", "message": detail}]})


class BackupSecretUnreadable(Conflict):
    code = "backup_secret_unreadable"
