"""Every kind of message the outbox holds, and the view that renders it: the one place to register one.

A use case writes a row of a kind with its params (`storage.repositories.outbox.Message`); the sender
renders it at send time with the renderer registered here, in the recipient's language of that moment.
Adding a kind: a member of `Kind`, a pure view `(Translator, params) -> View`, a line in `RENDERERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from bot.sender import Renderer
from bot.services.admins import ADMIN_CHANGED, ROLE_REVOKED
from bot.services.approvals import ROLE_DECISION, ROLE_REQUEST
from bot.services.broadcasts import BROADCAST, BROADCAST_REPORT
from bot.services.grant_questions import GRANT_ANSWER, GRANT_QUESTION
from bot.services.grant_saves import GRANT_CHANGED, GRANT_REMINDER
from bot.services.grant_subscriptions import GRANT_ALERT, GRANT_DIGEST
from bot.services.line import LINE_MOVED
from bot.services.offers import WAITLIST_OFFER
from bot.services.publishing import EVENT_CANCELLED, EVENT_CHANGED
from bot.services.ratings import EVENT_RATING
from bot.services.reminders import EVENT_REMINDER, STILL_COMING
from bot.views.admins import admin_changed_view, role_revoked_view
from bot.views.approvals import role_decision_view, role_request_view
from bot.views.broadcasts import broadcast_report_view, broadcast_view
from bot.views.grant_questions import grant_answer_view, grant_question_view
from bot.views.grant_saves import grant_changed_view, grant_reminder_view
from bot.views.grant_subscriptions import grant_alert_view, grant_digest_view
from bot.views.notices import notice_view
from bot.views.offers import line_moved_view, waitlist_offer_view
from bot.views.publishing import event_cancelled_view, event_changed_view
from bot.views.ratings import rating_request_view
from bot.views.reminders import event_reminder_view, still_coming_view


class Kind(StrEnum):
    # A plain text in both languages: params {"text_kk": ..., "text_ru": ...}.
    NOTICE = "notice"
    # To each admin: who asks for which role (params: user_id, role, name, username, region).
    ROLE_REQUEST = ROLE_REQUEST
    # To the requester: the admin's decision (params: role, approved, reason).
    ROLE_DECISION = ROLE_DECISION
    # To a user whose NGO or organizer role an admin took back (params: role, reason).
    ROLE_REVOKED = ROLE_REVOKED
    # To a user an ADMIN_IDS admin made an admin, or no longer one (params: promoted).
    ADMIN_CHANGED = ADMIN_CHANGED
    # To a registered volunteer, REMINDER_HOURS before the start; expires at the start.
    EVENT_REMINDER = EVENT_REMINDER
    # A broadcast (params: broadcast_id, text_kk, text_ru, one may be None; media_kind and media_file_id
    # for a photo or document; event_id for an organizer's to their event's people). An admin's carries
    # a mute button.
    BROADCAST = BROADCAST
    # To its author, once, when a started broadcast is done or stopped: its counts.
    BROADCAST_REPORT = BROADCAST_REPORT
    # To the first in line whose seats fit when seats free: Accept / Decline; expires with the offer.
    WAITLIST_OFFER = WAITLIST_OFFER
    # To each registered and waitlisted volunteer when a published event's time or place changes:
    # old → new (params: event_id, titles, starts_at, changes).
    EVENT_CHANGED = EVENT_CHANGED
    # To someone in line when people ahead of them left it: their new place (params: event_id, titles,
    # starts_at, place); replaced by a newer one while pending, expires when registration closes.
    LINE_MOVED = LINE_MOVED
    # To each registered and waitlisted volunteer when the event is cancelled (params: ..., reason).
    EVENT_CANCELLED = EVENT_CANCELLED
    # To an attendee after the event ended: rate it 1-5 (params: event_id, title_kk, title_ru);
    # expires two weeks after the end.
    EVENT_RATING = EVENT_RATING
    # To a registered volunteer a day before the start: the reminder with "still coming?" Yes / No
    # (a no releases the seat to the waitlist); expires at the start.
    STILL_COMING = STILL_COMING
    # To each admin (but the asker) when a user asks about a grant call: the question, with Answer
    # (params: question_id, grant_id, title_kk, title_ru, question, name, username).
    GRANT_QUESTION = GRANT_QUESTION
    # To the asker, once, when the first admin answered (params: question_id, grant_id, title_kk,
    # title_ru, question, answer).
    GRANT_ANSWER = GRANT_ANSWER
    # To a user who saved a grant call: 7, 3, 1 days before its closing day and on that day, at 10:00
    # (params: grant_id, days, evening_before, titles, deadline); expires at the deadline.
    GRANT_REMINDER = GRANT_REMINDER
    # To each user who saved a call, once per change: deadline, amount or status, old → new
    # (params: grant_id, titles, changes).
    GRANT_CHANGED = GRANT_CHANGED
    # To a subscriber of grant alerts (delivery: at once) when a matching call is published: its title,
    # amount, deadline; Open / Not relevant / Unsubscribe (params: grant_id, titles, amounts, deadline,
    # at); one per user and call; expires at the call's deadline.
    GRANT_ALERT = GRANT_ALERT
    # To a weekly subscriber once a week (Monday 10:00): the week's matching calls still open (params:
    # calls, more, at); nothing when there are none.
    GRANT_DIGEST = GRANT_DIGEST


RENDERERS: Mapping[str, Renderer] = {
    Kind.NOTICE: notice_view,
    Kind.ROLE_REQUEST: role_request_view,
    Kind.ROLE_DECISION: role_decision_view,
    Kind.ROLE_REVOKED: role_revoked_view,
    Kind.ADMIN_CHANGED: admin_changed_view,
    Kind.EVENT_REMINDER: event_reminder_view,
    Kind.BROADCAST: broadcast_view,
    Kind.BROADCAST_REPORT: broadcast_report_view,
    Kind.WAITLIST_OFFER: waitlist_offer_view,
    Kind.EVENT_CHANGED: event_changed_view,
    Kind.LINE_MOVED: line_moved_view,
    Kind.EVENT_CANCELLED: event_cancelled_view,
    Kind.EVENT_RATING: rating_request_view,
    Kind.STILL_COMING: still_coming_view,
    Kind.GRANT_QUESTION: grant_question_view,
    Kind.GRANT_ANSWER: grant_answer_view,
    Kind.GRANT_REMINDER: grant_reminder_view,
    Kind.GRANT_CHANGED: grant_changed_view,
    Kind.GRANT_ALERT: grant_alert_view,
    Kind.GRANT_DIGEST: grant_digest_view,
}
