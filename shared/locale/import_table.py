"""Merge a table of texts into the catalogue's three `.po` files.

The table has the form the code used before the catalogue: `{code: {"fi": …, "sv": …, "en": …}}`.

    python -m shared.locale.import_table services.intake.texts:MESSAGES   # a module's dict
    python -m shared.locale.import_table old_i18n.py                     # a file's MESSAGES
    python -m shared.locale.import_table messages.json                   # a JSON object

New codes are added to all three files. A code already in the catalogue keeps the catalogue's
wording unless `--overwrite` is given; differences are listed either way. Nothing is written when
an entry lacks a language or has an empty text, or with `--dry-run`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from shared.i18n import DOMAIN, LANGUAGES, po_path

PLACEHOLDER = re.compile(r"\{(\w+)\}")
HEADER = """Kotopolku: every text people read, in {language_name}.
Message ids are stable codes; keep {{placeholders}} as they are. See docs/translations.md."""
LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish", "en": "English"}


def load_table(source: str) -> dict[str, dict[str, str]]:
    """`path.json`, `path.py[:NAME]` or `package.module[:NAME]` (NAME defaults to MESSAGES)."""
    location, _, name = source.partition(":")
    name = name or "MESSAGES"
    if location.endswith(".json"):
        return json.loads(Path(location).read_text(encoding="utf-8"))
    if location.endswith(".py"):
        spec = importlib.util.spec_from_file_location("_imported_table", location)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(location)
    return getattr(module, name)


def problems(table: dict[str, dict[str, str]]) -> list[str]:
    found = []
    for code, texts in table.items():
        for language in LANGUAGES:
            if not str(texts.get(language) or "").strip():
                found.append(f"{code}: no {LANGUAGE_NAMES[language]} text")
        names = {language: sorted(set(PLACEHOLDER.findall(texts.get(language) or ""))) for language in LANGUAGES}
        if len({tuple(value) for value in names.values()}) > 1:
            found.append(f"{code}: placeholders differ between languages: {names}")
    return found


def read_catalog(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return new_catalog(language)
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN, abort_invalid=True)


def new_catalog(language: str) -> Catalog:
    return Catalog(
        locale=language,
        domain=DOMAIN,
        project="Kotopolku",
        version="1",
        copyright_holder="Kotopolku contributors",
        msgid_bugs_address="docs/translations.md",
        last_translator="Kotopolku contributors",
        language_team=LANGUAGE_NAMES[language],
        header_comment="\n".join(f"# {line}" for line in HEADER.format(language_name=LANGUAGE_NAMES[language]).splitlines()),
        fuzzy=False,
    )


def write_catalog(language: str, catalog: Catalog) -> None:
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=0, omit_header=False, sort_output=False, ignore_obsolete=True)


def merge(table: dict[str, dict[str, str]], *, overwrite: bool = False, dry_run: bool = False) -> list[str]:
    """Merges `table` into the catalogue; returns what it did (one line per change)."""
    bad = problems(table)
    if bad:
        raise ValueError("the table is incomplete:\n  " + "\n  ".join(bad))
    report, changed = [], set()
    catalogs = {language: read_catalog(language) for language in LANGUAGES}
    for code, texts in table.items():
        for language, catalog in catalogs.items():
            text = texts[language]
            current = catalog.get(code)
            if current is None or not current.string:
                catalog.add(code, text)
                catalog.get(code).flags.discard("fuzzy")
                changed.add(language)
                report.append(f"added {code} [{language}]")
            elif current.string != text:
                if overwrite:
                    report.append(f"replaced {code} [{language}]: {current.string!r} -> {text!r}")
                    current.string = text
                    current.flags.discard("fuzzy")
                    changed.add(language)
                else:
                    report.append(f"kept {code} [{language}]: catalogue {current.string!r}, table {text!r}")
    if not dry_run:
        for language, catalog in catalogs.items():
            if language in changed:
                catalog.revision_date = datetime.now(timezone.utc)
                write_catalog(language, catalog)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.locale.import_table", description=__doc__.splitlines()[0])
    parser.add_argument("source", help="path.json, path.py[:NAME] or package.module[:NAME] (NAME defaults to MESSAGES)")
    parser.add_argument("--overwrite", action="store_true", help="take the table's wording for codes already in the catalogue")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    args = parser.parse_args(argv)
    try:
        report = merge(load_table(args.source), overwrite=args.overwrite, dry_run=args.dry_run)
    except (ValueError, OSError, ImportError, AttributeError) as error:
        print(f"import_table: {error}", file=sys.stderr)
        return 1
    print("\n".join(report) or "nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
