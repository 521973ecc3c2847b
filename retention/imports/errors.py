"""The two ways an import says no: a whole file refused, or one row rejected."""


class ImportRefused(Exception):
    """The file (or the whole batch) cannot be imported; the message says what to do about it."""

    def __init__(self, message: str, *, file_name: str = "") -> None:
        self.file_name = file_name
        super().__init__(f"{file_name}: {message}" if file_name else message)


class RowError(Exception):
    """One row cannot be imported: which column, which value, and why."""

    def __init__(self, column: str, value: object, reason: str) -> None:
        self.column = column
        self.value = "" if value is None else str(value)
        self.reason = reason
        super().__init__(f"{column}={self.value!r}: {reason}")


class RowSkipped(Exception):
    """One row is deliberately not imported (a CRM user who is not a rep, or a record only such
    a user owns): neither written nor rejected, and the report says why."""

    def __init__(self, column: str, value: object, reason: str) -> None:
        self.column = column
        self.value = "" if value is None else str(value)
        self.reason = reason
        super().__init__(f"{column}={self.value!r}: {reason}")
