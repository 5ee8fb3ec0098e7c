"""A group's letters (提醒函、提示函、通报、督办函) with its units' responses, and the
complaints forwarded to it by the coordination group, in the demo."""

import datetime as dt
from typing import TYPE_CHECKING

from ducha.demo.supervision_texts import COMPLAINTS, LETTER_POINTS, RESPONSES
from ducha.ledger.choices import DiscoveryMethod
from ducha.ledger.models import Problem
from ducha.supervision.choices import ComplaintSource, ComplaintStatus, ContactKind, LetterKind
from ducha.supervision.models import Complaint, Contact, Letter, LetterRecipient

if TYPE_CHECKING:
    from ducha.demo.supervision_work import GroupWork

DAY = dt.timedelta(days=1)
FIRST_LETTER, LAST_LETTER = dt.date(2024, 5, 15), dt.date(2024, 11, 25)
RESPOND_WITHIN = 10 * DAY


def letters(work: "GroupWork") -> list[Contact]:
    """The plan's letters, spread over the campaign, each to its recipients: a reminder
    about few problems found goes to the units built to lag, the others to every unit.
    Responses come within the time asked and are accepted, except: the last letter's
    lagging recipients have not answered (overdue), one answer awaits the decision and
    one was refused. Bulletins ask for no response. A reminder is also a written
    contact (书面提醒) with each recipient; those contacts are returned."""
    rng, plan, units = work.rng, work.plan, work.units
    step = (LAST_LETTER - FIRST_LETTER) / max(len(plan.letters) - 1, 1)
    member = work.sb.users[f"group-{plan.domain}"]
    issued = work.create(
        [
            Letter(
                campaign=work.campaign,
                group=work.group,
                kind=kind,
                number=f"督导函〔2024〕{n}号",
                title=title,
                points=LETTER_POINTS[kind],
                issued_on=FIRST_LETTER + step * (n - 1),
                respond_by=None if kind == LetterKind.BULLETIN else FIRST_LETTER + step * (n - 1) + RESPOND_WITHIN,
                issued_by=member,
            )
            for n, (kind, title) in enumerate(plan.letters, start=1)
        ]
    )
    lagging = [u for u in units if u.pk in work.sb.lagging]
    recipients, written = [], []
    for letter in issued:
        to = lagging if "较少" in letter.title and lagging else units
        for unit in to:
            r = LetterRecipient(letter=letter, unit=unit)
            last = letter is issued[-1]
            if letter.respond_by and not (last and unit.pk in work.sb.lagging):
                r.responded_on = letter.issued_on + DAY * rng.randint(3, 9)
                r.response = rng.choice(RESPONSES)
                r.accepted = True
            recipients.append(r)
            if letter.kind == LetterKind.REMINDER:
                written.append(work.contact(unit, ContactKind.WRITTEN, letter.issued_on, f"发出《{letter.title}》"))
    answered = [r for r in recipients if r.responded_on]
    if len(answered) > 2:
        answered[-1].accepted = None  # the decision is still to come
        answered[0].accepted, answered[0].decision_note = False, "整改措施不具体，请补充完善后重新反馈"
    work.create(recipients)
    return written


def complaints(work: "GroupWork") -> None:
    """The plan's complaints, forwarded by the coordination group (督导协调组转发),
    received a few days before a problem the ledger has as found by complaint, assigned to
    its unit with a month to handle it. All but the last were confirmed and closed: they
    became that problem (linked). The last is still being handled."""
    if not work.plan.complaints:
        return
    problems = list(
        Problem.objects.filter(
            campaign=work.campaign,
            unit__in=work.units,
            discovery_method=DiscoveryMethod.COMPLAINT,
            found_on__gte=work.campaign.starts_on + 10 * DAY,
            found_on__lte=dt.date(2024, 10, 31),
        ).order_by("found_on", "pk")
    )
    chosen = sorted(work.rng.sample(problems, work.plan.complaints), key=lambda p: p.found_on)
    for n, p in enumerate(chosen, start=1):
        received = p.found_on - DAY * work.rng.randint(2, 8)
        closed = n < len(chosen)
        complaint = Complaint(
            campaign=work.campaign,
            number=f"XTZ-2024-{n:03d}",
            source=ComplaintSource.FORWARDED,
            received_on=received,
            summary=f"举报反映：{p.description}" if closed else COMPLAINTS[n % len(COMPLAINTS)],
            group=work.group,
            unit=p.unit,
            county=p.county,
            deadline=received + 30 * DAY,
            status=ComplaintStatus.CLOSED if closed else ComplaintStatus.HANDLING,
            progress="已对接相关部门核查，督促投诉举报处理进度",
            outcome=f"经核查，反映问题属实，已列入问题台账（{p.number}）并督促整改" if closed else "",
            closed_on=p.found_on + DAY * 20 if closed else None,
            problem=p if closed else None,
        )
        # One at a time: the bulk uniqueness check counts empty one-to-one links as equal.
        work.create([complaint])
