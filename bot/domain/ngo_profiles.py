"""An NGO's profile (legal form, NGO database listing, region, sectors, youth organization) and how well a
grant call fits it: a pure function of the call's eligibility flags, regions and sectors against the
profile, with the reasons, so that the reader always sees why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.domain.grants import Sector
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.i18n import N_


class LegalForm(StrEnum):
    PUBLIC_ASSOCIATION = "association"  # a registered public association
    FOUNDATION = "foundation"
    INSTITUTION = "institution"
    OTHER_ENTITY = "other"  # another registered non-commercial legal entity
    INITIATIVE_GROUP = "group"  # an initiative group without registration


LEGAL_FORM_NAMES = {
    LegalForm.PUBLIC_ASSOCIATION: N_("Public association"),
    LegalForm.FOUNDATION: N_("Foundation"),
    LegalForm.INSTITUTION: N_("Institution"),
    LegalForm.OTHER_ENTITY: N_("Another registered legal entity"),
    LegalForm.INITIATIVE_GROUP: N_("Initiative group without registration"),
}


class Listed(StrEnum):
    """Whether the NGO is listed in the national NGO database."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


LISTED_NAMES = {
    Listed.YES: N_("Yes"),
    Listed.NO: N_("No"),
    Listed.UNKNOWN: N_("I don't know"),
}


@dataclass(frozen=True, slots=True)
class NgoProfile:
    """What an NGO told about itself; `sectors`: codes, built-in ones in the order of `Sector`, then
    added ones (bot/domain/sectors.py)."""

    legal_form: LegalForm
    listed: Listed
    region: str
    sectors: tuple[str, ...]
    youth: bool

    @property
    def registered(self) -> bool:
        return self.legal_form is not LegalForm.INITIATIVE_GROUP


class InvalidProfileError(ValueError):
    """A value no button offers (forged data, or a stored value the code no longer knows)."""


def parse_profile(
    legal_form: str | None,
    listed: str | None,
    region: str | None,
    sectors: Sequence[str],
    youth: object,
    known: SectorCatalogue = BUILT_IN,
) -> NgoProfile:
    """A profile from raw values (button data, the database), every one checked; `known`: the sectors
    there are (built-in and added ones)."""
    if legal_form is None or legal_form not in LegalForm.__members__.values():
        raise InvalidProfileError(f"legal form {legal_form!r}")
    if listed is None or listed not in Listed.__members__.values():
        raise InvalidProfileError(f"listed {listed!r}")
    if region is None or region not in REGIONS_BY_CODE:
        raise InvalidProfileError(f"region {region!r}")
    if not sectors or any(not isinstance(sector, str) or not known.is_known(sector) for sector in sectors):
        raise InvalidProfileError(f"sectors {sectors!r}")
    if not isinstance(youth, bool):
        raise InvalidProfileError(f"youth {youth!r}")
    return NgoProfile(
        legal_form=LegalForm(legal_form),
        listed=Listed(listed),
        region=region,
        sectors=known.ordered(sectors),
        youth=youth,
    )


class CallTerms(Protocol):
    """What of a grant call its fit depends on (storage's GrantRecord has it)."""

    @property
    def legal_entity_only(self) -> bool: ...
    @property
    def ngo_database_required(self) -> bool: ...
    @property
    def youth_organizations(self) -> bool: ...
    @property
    def initiative_groups_allowed(self) -> bool: ...
    @property
    def regions(self) -> tuple[str, ...]: ...
    @property
    def sectors(self) -> tuple[str, ...]: ...


class Verdict(StrEnum):
    FITS = "fits"
    PROBABLY_NOT = "probably_not"
    UNSURE = "unsure"


class Reason(StrEnum):
    """Why: each one for, against or unsure, named in the views."""

    # For
    LEGAL_ENTITY_OK = "legal_entity_ok"  # for registered legal entities: the NGO is one
    INITIATIVE_GROUPS_OK = "initiative_groups_ok"  # initiative groups may apply: the NGO is one
    LISTED_OK = "listed_ok"  # the NGO database is required: the NGO is listed
    YOUTH_OK = "youth_ok"  # for youth organizations: the NGO is one
    ALL_REGIONS = "all_regions"  # open to all of Kazakhstan
    REGION_OK = "region_ok"  # open to the NGO's region
    SECTORS_OK = "sectors_ok"  # sectors in common
    # Against
    LEGAL_ENTITY_NO = "legal_entity_no"  # for registered legal entities: an initiative group
    LISTED_NO = "listed_no"  # the NGO database is required: not listed
    YOUTH_NO = "youth_no"  # for youth organizations: not one
    REGION_NO = "region_no"  # other regions only
    # Unsure
    SECTORS_NO = "sectors_no"  # no sector in common: sectors are often loosely applied, so not against
    LISTED_UNKNOWN = "listed_unknown"  # the NGO database is required: the NGO does not know
    INITIATIVE_GROUPS_UNSTATED = "initiative_groups_unstated"  # an initiative group; the call is silent
    SECTORS_OTHER = "sectors_other"  # no sector in common, but one side says "other"


class Weight(StrEnum):
    FOR = "for"
    AGAINST = "against"
    UNSURE = "unsure"


WEIGHTS = {
    Reason.LEGAL_ENTITY_OK: Weight.FOR,
    Reason.INITIATIVE_GROUPS_OK: Weight.FOR,
    Reason.LISTED_OK: Weight.FOR,
    Reason.YOUTH_OK: Weight.FOR,
    Reason.ALL_REGIONS: Weight.FOR,
    Reason.REGION_OK: Weight.FOR,
    Reason.SECTORS_OK: Weight.FOR,
    Reason.LEGAL_ENTITY_NO: Weight.AGAINST,
    Reason.LISTED_NO: Weight.AGAINST,
    Reason.YOUTH_NO: Weight.AGAINST,
    Reason.REGION_NO: Weight.AGAINST,
    # A call's sectors say what it is mostly about, and calls are often tagged loosely: no sector in
    # common leaves the NGO to judge, it does not rule it out (region and eligibility do).
    Reason.SECTORS_NO: Weight.UNSURE,
    Reason.LISTED_UNKNOWN: Weight.UNSURE,
    Reason.INITIATIVE_GROUPS_UNSTATED: Weight.UNSURE,
    Reason.SECTORS_OTHER: Weight.UNSURE,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason, with what it names: regions (codes: the NGO's that is open, or the call's when the
    NGO's is not among them) and sectors (those in common, or the call's when none is)."""

    reason: Reason
    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    @property
    def weight(self) -> Weight:
        return WEIGHTS[self.reason]


@dataclass(frozen=True, slots=True)
class Fit:
    """The verdict and every finding; `reasons` are the ones that decided it (never empty)."""

    verdict: Verdict
    findings: tuple[Finding, ...]

    @property
    def reasons(self) -> tuple[Finding, ...]:
        wanted = {
            Verdict.FITS: Weight.FOR,
            Verdict.PROBABLY_NOT: Weight.AGAINST,
            Verdict.UNSURE: Weight.UNSURE,
        }[self.verdict]
        return tuple(finding for finding in self.findings if finding.weight is wanted)

    @property
    def deciding(self) -> Finding | None:
        """The one reason a list line gives: the first against, else the first unsure one; None for a
        call that fits (the verdict says it all; the card lists every finding)."""
        for weight in (Weight.AGAINST, Weight.UNSURE):
            for finding in self.findings:
                if finding.weight is weight:
                    return finding
        return None


def grant_fit(profile: NgoProfile, call: CallTerms) -> Fit:
    """How well `call` fits `profile`: probably not if any condition rules the NGO out, unsure if none
    does but one cannot be told, else it fits; with the findings in the order the card lists them."""
    findings: list[Finding] = []
    # Who may apply: registration
    if call.legal_entity_only:
        findings.append(Finding(Reason.LEGAL_ENTITY_OK if profile.registered else Reason.LEGAL_ENTITY_NO))
    elif not profile.registered:
        findings.append(
            Finding(
                Reason.INITIATIVE_GROUPS_OK
                if call.initiative_groups_allowed
                else Reason.INITIATIVE_GROUPS_UNSTATED
            )
        )
    # The national NGO database
    if call.ngo_database_required:
        findings.append(
            Finding(
                {
                    Listed.YES: Reason.LISTED_OK,
                    Listed.NO: Reason.LISTED_NO,
                    Listed.UNKNOWN: Reason.LISTED_UNKNOWN,
                }[profile.listed]
            )
        )
    # Youth organizations
    if call.youth_organizations:
        findings.append(Finding(Reason.YOUTH_OK if profile.youth else Reason.YOUTH_NO))
    # Regions
    if not call.regions:
        findings.append(Finding(Reason.ALL_REGIONS))
    elif profile.region in call.regions:
        findings.append(Finding(Reason.REGION_OK, regions=(profile.region,)))
    else:
        findings.append(Finding(Reason.REGION_NO, regions=tuple(call.regions)))
    # Sectors
    own = profile.sectors
    common = tuple(sector for sector in own if sector in call.sectors)
    if common:
        findings.append(Finding(Reason.SECTORS_OK, sectors=common))
    elif call.sectors:
        other = Sector.OTHER.value in call.sectors or Sector.OTHER.value in own
        findings.append(
            Finding(Reason.SECTORS_OTHER if other else Reason.SECTORS_NO, sectors=tuple(call.sectors))
        )
    weights = {finding.weight for finding in findings}
    if Weight.AGAINST in weights:
        verdict = Verdict.PROBABLY_NOT
    elif Weight.UNSURE in weights:
        verdict = Verdict.UNSURE
    else:
        verdict = Verdict.FITS
    return Fit(verdict, tuple(findings))
