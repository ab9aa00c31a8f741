"""A typed search of the officers' lists (the desk's list, its export): what the text may be,
as one ``id IN (…)`` of index probes (tracking code, national code, phone, name-key range)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from storage.applications import name_query_key

_TOP = "\U0010ffff"


class SearchTerm(BaseModel):
    """What a typed search may be; an application matching any of them is listed."""

    model_config = ConfigDict(frozen=True)

    tracking_code: str | None = None
    national_code: str | None = None
    phone: str | None = None  # canonical +989…
    name: str | None = None  # as typed; searched as a prefix of any word of the name

    @property
    def empty(self) -> bool:
        """Nothing searchable (e.g. one letter): the list is empty, not everything."""
        return not (
            self.tracking_code
            or self.national_code
            or self.phone
            or name_query_key(self.name or "")
        )


def search_where(term: SearchTerm) -> tuple[str, list[object]]:
    """One ``id IN (…)`` of every way the term may match (each an index probe)."""
    parts: list[str] = []
    params: list[object] = []
    if term.tracking_code:
        parts.append("SELECT id FROM applications WHERE tracking_code = ?")
        params.append(term.tracking_code)
    if term.national_code:
        parts.append("SELECT id FROM applications WHERE national_code = ?")
        params.append(term.national_code)
    if term.phone:
        parts.append("SELECT id FROM applications WHERE phone = ?")
        parts.append(
            "SELECT a.id FROM citizens AS c JOIN applications AS a ON a.citizen_id = c.id"
            " WHERE c.phone = ?"
        )
        params += [term.phone, term.phone]
    key = name_query_key(term.name or "")
    if key is not None:
        parts.append(
            "SELECT application_id FROM application_names WHERE name_key >= ? AND name_key < ?"
        )
        params += [key, key + _TOP]
    if not parts:  # nothing searchable (one letter): nothing matches
        return "0", []
    return f"id IN ({' UNION '.join(parts)})", params
