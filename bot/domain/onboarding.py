"""Where a user stands in the first conversation: language → consent → role → (for an NGO or an
organizer: the organisation's name → its BIN) → region → done."""

from __future__ import annotations

from enum import StrEnum

from storage.repositories.users import UserProfile


class OnboardingStep(StrEnum):
    LANGUAGE = "language"
    CONSENT = "consent"
    ROLE = "role"
    ORGANIZATION = "organization"
    BIN = "bin"
    REGION = "region"
    DONE = "done"


def onboarding_step(user: UserProfile) -> OnboardingStep:
    """Derived from what the user has chosen: nothing to get out of step."""
    if user.language is None:
        return OnboardingStep.LANGUAGE
    if user.consent_at is None:
        return OnboardingStep.CONSENT
    if user.role is None:
        if user.requested_role is not None:  # an NGO or organizer request begun: for which organisation
            return OnboardingStep.ORGANIZATION if user.organization is None else OnboardingStep.BIN
        return OnboardingStep.ROLE
    if user.region is None:
        return OnboardingStep.REGION
    return OnboardingStep.DONE
