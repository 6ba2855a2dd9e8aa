"""Where a user stands in the first conversation: language → consent → role → region → done."""

from __future__ import annotations

from enum import StrEnum

from storage.repositories.users import UserProfile


class OnboardingStep(StrEnum):
    LANGUAGE = "language"
    CONSENT = "consent"
    ROLE = "role"
    REGION = "region"
    DONE = "done"


def onboarding_step(user: UserProfile) -> OnboardingStep:
    """Derived from what the user has chosen: nothing to get out of step."""
    if user.language is None:
        return OnboardingStep.LANGUAGE
    if user.consent_at is None:
        return OnboardingStep.CONSENT
    if user.role is None:
        return OnboardingStep.ROLE
    if user.region is None:
        return OnboardingStep.REGION
    return OnboardingStep.DONE
