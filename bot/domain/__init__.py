"""The domain's data tables and pure rules (regions, roles, onboarding steps, deep links): no I/O."""
