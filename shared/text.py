"""Text people and systems send us: refused when it holds what can't be stored or shown."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def printable(value: str) -> str:
    # Control characters and lone surrogates can't be stored (PostgreSQL refuses NUL) nor shown.
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in value):
        raise ValueError("must not contain control characters")
    return value


def printable_paragraphs(value: str) -> str:
    """Longer text: line breaks and tabs allowed, other control characters not."""
    printable(value.translate({ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}))
    return value


Printable = Annotated[str, AfterValidator(printable)]
PrintableParagraphs = Annotated[str, AfterValidator(printable_paragraphs)]
