"""Place names typed on the command line (`archive set ID town=…`) checked as the web's edit form
checks them (`archive.spelling`): a longer or differently written spelling of a name the archive
uses becomes that name, and a name neither the archive nor the national gazetteer knows is
refused unless confirmed (`--new-place`, the form's confirm box)."""
from __future__ import annotations

from typing import Any

from archive import spelling
from archive.errors import InvalidField
from archive.fields import validate_fields
from archive.model import PLACE_FIELDS
from archive.store import Archive


def archive_names(archive: Archive, level: str) -> list[str]:
    """The names of this level the archive's reports use."""
    return sorted({getattr(s.place, level) for s in archive.summaries() if getattr(s.place, level)})


def gazetteer_knows(level: str, name: str) -> bool:
    from importers import gazetteer
    return bool(gazetteer.named(name, level))


def typed_places(archive: Archive, fields: dict[str, Any], new_place: bool = False
                 ) -> tuple[dict[str, Any], list[str]]:
    """`fields` checked (`validate_fields`: no markup…) with their place names as the archive
    spells them, and notes on what was changed. Raises InvalidField (one line) for a name nobody
    knows unless `new_place`."""
    validate_fields(fields)
    out, notes = dict(fields), []
    for level in PLACE_FIELDS:
        typed = str(fields.get(level) or "").strip()
        if not typed:
            continue
        found = spelling.resolve(level, typed, archive_names(archive, level), gazetteer_knows)
        if found.status == "normalised":
            notes.append(f"“{typed}”已按档案中的写法记为“{found.value}”")
            out[level] = found.value
        elif found.status == "new" and not new_place:
            maybe = f" (是否指: {'、'.join(found.candidates)})" if found.candidates else ""
            raise InvalidField(f"{level}「{typed}」不是档案或全国区划中已有的地名{maybe}; "
                               f"确认是新地名请加 --new-place")
    return out, notes
