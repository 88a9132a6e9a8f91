"""Resident verification as a pluggable interface.

A deployment lists its methods in ``SHARINGCITY_VERIFICATION_METHODS``. Each method decides from
the evidence a staff member gives whether a resident is who they say and lives in the district
they claim. Two methods are built in: a match against a census extract uploaded by staff, and an
in-person check of an identity document at a city office."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import InvalidInput
from .models import CensusRecord, ResidentProfile


@dataclass(frozen=True)
class Verdict:
    verified: bool
    note: str


class VerificationMethod(Protocol):
    key: str
    label: Any

    def check(self, profile: ResidentProfile, evidence: dict[str, Any]) -> Verdict: ...


class CensusRecordVerification:
    """Match the resident's full name, birth year and district against the uploaded census digests."""

    key = "census"
    label = gettext_lazy("Census record match")

    def check(self, profile: ResidentProfile, evidence: dict[str, Any]) -> Verdict:
        full_name = str(evidence.get("full_name") or "").strip()
        if not full_name:
            raise InvalidInput(
                "missing_full_name",
                _("Give the resident's full name as in the census."),
                field="full_name",
            )
        birth_year = profile.birth_year or evidence.get("birth_year")
        if not birth_year:
            raise InvalidInput(
                "missing_birth_year", _("Give the resident's birth year."), field="birth_year"
            )
        digest = CensusRecord.digest_for(full_name, int(birth_year), profile.district.code)
        if CensusRecord.objects.filter(digest=digest).exists():
            return Verdict(True, _("Matched a census record."))
        return Verdict(False, _("No census record matches this name, birth year and district."))


class InPersonVerification:
    """A staff member saw an identity document showing an address in the district."""

    key = "in_person"
    label = gettext_lazy("In-person document check")

    def check(self, profile: ResidentProfile, evidence: dict[str, Any]) -> Verdict:
        document = str(evidence.get("document") or "").strip()
        if not document:
            raise InvalidInput(
                "missing_document", _("Say which identity document was checked."), field="document"
            )
        if not evidence.get("address_in_district"):
            return Verdict(False, _("The document does not show an address in the district."))
        return Verdict(
            True, _("Document checked in person: %(document)s.") % {"document": document[:80]}
        )


@cache
def methods() -> dict[str, VerificationMethod]:
    loaded = [import_string(path)() for path in settings.SHARINGCITY_VERIFICATION_METHODS]
    return {m.key: m for m in loaded}


def method(key: str) -> VerificationMethod:
    try:
        return methods()[key]
    except KeyError:
        raise InvalidInput(
            "unknown_verification_method",
            _("Unknown verification method %(key)s.") % {"key": key},
            {"known": sorted(methods())},
            field="method",
        ) from None
