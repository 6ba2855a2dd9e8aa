"""The organizer's tools on one of their events: export the registrants (a CSV file), write to the
event's people, the attendance roster (tap to mark, hours), the ratings. Every press is checked by the
service: a volunteer's forged button is refused there."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import Onboarded
from bot.i18n import Translator
from bot.replies import show
from bot.services.attendance import AttendanceService, ToolRefusedError
from bot.services.ratings import RatingService
from bot.views.attendance import (
    MARK_ATTENDANCE,
    HoursCallback,
    MarkCallback,
    RosterCallback,
    audiences_view,
    export_caption,
    export_file_name,
    hours_saved_text,
    hours_view,
    nobody_registered_text,
    registrants_csv,
    roster_view,
    tool_refusal_text,
)
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from bot.views.ratings import ratings_view
from storage.repositories.users import UserProfile


def router() -> Router:
    router = Router(name="organizer_tools")
    router.callback_query.filter(Onboarded())
    for action, handler in (
        (OrganizerAction.EXPORT, on_export),
        (OrganizerAction.MESSAGE, on_message),
        (OrganizerAction.ATTENDANCE, on_attendance),
        (OrganizerAction.RATINGS, on_ratings),
    ):
        router.callback_query.register(handler, OrganizerEventCallback.filter(F.action == action))
    router.callback_query.register(on_roster_page, RosterCallback.filter())
    router.callback_query.register(on_mark, MarkCallback.filter())
    router.callback_query.register(on_hours, HoursCallback.filter())
    return router


async def on_export(
    query: CallbackQuery,
    callback_data: OrganizerEventCallback,
    user: UserProfile,
    attendance: AttendanceService,
    t: Translator,
    callback_answer: CallbackAnswer,
    bot: Bot,
) -> None:
    try:
        event, registrants = await attendance.registrants(user.id, callback_data.event_id)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    if not registrants:
        callback_answer.text = nobody_registered_text(t)
        return
    document = BufferedInputFile(registrants_csv(t, registrants), filename=export_file_name(event, t))
    await bot.send_document(user.id, document, caption=export_caption(t, event, len(registrants)))


async def on_message(
    query: CallbackQuery,
    callback_data: OrganizerEventCallback,
    user: UserProfile,
    attendance: AttendanceService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """The audiences with their counts; each button starts the broadcast dialog scoped to the event."""
    try:
        event, counts = await attendance.audiences(user.id, callback_data.event_id)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    await show(query, audiences_view(t, event, counts))


async def on_attendance(
    query: CallbackQuery,
    callback_data: OrganizerEventCallback,
    user: UserProfile,
    attendance: AttendanceService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        roster = await attendance.roster(user.id, callback_data.event_id)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    await show(query, roster_view(t, roster))


async def on_roster_page(
    query: CallbackQuery,
    callback_data: RosterCallback,
    user: UserProfile,
    attendance: AttendanceService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        roster = await attendance.roster(user.id, callback_data.event_id)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    await show(query, roster_view(t, roster, callback_data.page))


async def on_mark(
    query: CallbackQuery,
    callback_data: MarkCallback,
    user: UserProfile,
    attendance: AttendanceService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """A tap on a name: the mark the button shows next is recorded, and the roster edits in place."""
    try:
        roster = await attendance.mark(
            user.id,
            callback_data.event_id,
            callback_data.registration_id,
            MARK_ATTENDANCE[callback_data.mark],
        )
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    await show(query, roster_view(t, roster, callback_data.page))


async def on_hours(
    query: CallbackQuery,
    callback_data: HoursCallback,
    user: UserProfile,
    attendance: AttendanceService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """minutes -1: the choices; 0: the event's duration; else the hours chosen. Then the roster."""
    try:
        if callback_data.minutes < 0:
            roster = await attendance.roster(user.id, callback_data.event_id)
            await show(query, hours_view(t, roster))
            return
        minutes = callback_data.minutes or None
        roster = await attendance.set_hours(user.id, callback_data.event_id, minutes)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    await show(query, roster_view(t, roster))
    callback_answer.text = hours_saved_text(t)


async def on_ratings(
    query: CallbackQuery,
    callback_data: OrganizerEventCallback,
    user: UserProfile,
    ratings: RatingService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        summary = await ratings.summary(user.id, callback_data.event_id)
    except ToolRefusedError as error:
        callback_answer.text = tool_refusal_text(t, error.problem)
        return
    await show(query, ratings_view(t, summary))
