"""`ducha sample`: draw a sample of the self-inspected projects (按比例抽查) and record the
sampling inspections, or check a draw by drawing it again from its population and seed."""

import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.analytics.sampling_rule import Weighting
from ducha.core.access import AccessDenied
from ducha.core.progress import ProgressBar, add_progress_argument, shown
from ducha.ledger.models import SampleDraw
from ducha.ledger.sampling import (
    DRAWN,
    RECORDING,
    STEPS,
    do_draw_sample,
    sample_holds,
    step_in_words,
    suggested_seed,
)
from ducha.org.management.options import chosen_campaign
from ducha.org.models import SupervisionGroup, Unit


def proportion(text: str) -> Decimal:
    """0.1, 10% or 10 (percent when above 1)."""
    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise ValueError(text) from None
    return value / 100 if text.strip().endswith("%") or value > 1 else value


class Command(BaseCommand):
    help = "Draw a sample of the self-inspected projects and record the sampling inspections (docs/sampling.md)."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", help="the user who draws (office or group member)")
        parser.add_argument("--campaign", help="campaign code (default: the active campaign)")
        covered = parser.add_mutually_exclusive_group()
        covered.add_argument("--unit", help="a unit's code: its projects (a county's: that county's)")
        covered.add_argument("--group", help="a supervision group's code: its units' projects")
        parser.add_argument("--stage", help="the stage's kind, e.g. self_check")
        parser.add_argument("--proportion", type=proportion, help="0.1, 10%% or 10: the least share of each unit")
        parser.add_argument("--minimum", type=int, default=0, help="the least number per unit (default 0)")
        parser.add_argument("--weighting", choices=[w.value for w in Weighting], default=Weighting.NONE.value)
        parser.add_argument("--seed", help="the seed (default: a new one, printed): the same seed, the same sample")
        parser.add_argument("--check", type=int, metavar="DRAW", help="draw DRAW again from its population and seed")
        parser.add_argument("--json", action="store_true", help="print JSON")
        add_progress_argument(parser)

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        check = options["check"] is not None
        self.bar = StepsBar(self.stderr, check=check) if shown(options["progress"], self.stderr) else None
        if options["check"] is not None:
            return self.check_draw(options["check"], as_json=options["json"])
        if not options["username"] or options["proportion"] is None:
            raise CommandError(_("A draw needs --as and --proportion."))
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": options["username"]})
        campaign = chosen_campaign(options)
        unit = group = stage = None
        if options["unit"] and (unit := Unit.objects.filter(code=options["unit"]).first()) is None:
            raise CommandError(_("No unit %(code)s.") % {"code": options["unit"]})
        if options["group"]:
            group = SupervisionGroup.objects.filter(campaign=campaign, code=options["group"]).first()
            if group is None:
                raise CommandError(_("No supervision group %(code)s.") % {"code": options["group"]})
        if options["stage"] and (stage := campaign.stages.filter(kind=options["stage"]).first()) is None:
            raise CommandError(_("No stage %(kind)s.") % {"kind": options["stage"]})
        seed = options["seed"] or suggested_seed(campaign.as_of())
        try:
            draw = do_draw_sample(
                campaign,
                actor=user,
                proportion=options["proportion"],
                minimum=options["minimum"],
                seed=seed,
                weighting=options["weighting"],
                unit=unit,
                group=group,
                stage=stage,
                progress=self.bar,
            )
        except AccessDenied:
            raise CommandError(_("%(name)s may not draw a sample there.") % {"name": user.username}) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        finally:
            if self.bar:
                self.bar.close()
        self.show(draw, as_json=options["json"])

    def show(self, draw: SampleDraw, *, as_json: bool) -> None:
        sample = list(draw.inspections.order_by("project__unit__code", "project__number").values_list(
            "project__unit__code", "project__number"))  # fmt: skip
        units = dict(Unit.objects.filter(pk__in=[r["unit"] for r in draw.figures]).values_list("pk", "code"))
        if as_json:
            figures = [{**row, "unit": units[row["unit"]]} for row in draw.figures]
            out = {"draw": draw.pk, "seed": draw.seed, "population": draw.population, "drawn": draw.drawn,
                   "units": figures, "sample": [{"unit": u, "project": n} for u, n in sample]}  # fmt: skip
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("Draw %(draw)s, seed %(seed)s: %(drawn)s of %(population)s projects drawn.")
            % {"draw": draw.pk, "seed": draw.seed, "drawn": draw.drawn, "population": draw.population}
        )
        for row in draw.figures:
            self.stdout.write(f"  {units[row['unit']]}: {row['drawn']}/{row['population']}")

    def check_draw(self, pk: int, *, as_json: bool) -> None:
        draw = SampleDraw.objects.filter(pk=pk).first()
        if draw is None:
            raise CommandError(_("No draw %(draw)s.") % {"draw": pk})
        same = sample_holds(draw, self.bar)
        if self.bar:
            self.bar.close()
        if as_json:
            self.stdout.write(json.dumps({"draw": pk, "seed": draw.seed, "identical": same}))
        else:
            self.stdout.write(_("Draw %(draw)s drawn again: identical.") % {"draw": pk} if same
                              else _("Draw %(draw)s drawn again: different.") % {"draw": pk})  # fmt: skip
        if not same:
            raise CommandError(_("The sample drawn again differs from the recorded one."))


class StepsBar(ProgressBar):
    """A draw's steps (population read, sample drawn, inspections recorded), each a third;
    a check's here records nothing: two halves."""

    def __init__(self, stream, *, check: bool):
        super().__init__(stream)
        self.check = check
        self.sample_size = 0

    def __call__(self, step: str, count: int) -> None:
        if step == DRAWN:
            self.sample_size = count
        if step == RECORDING:  # under way: the share of the inspections recorded so far
            done = STEPS.index(DRAWN) + 1 + (count / self.sample_size if self.sample_size else 0)
        else:
            done = STEPS.index(step) + 1 if step in STEPS else 0
        total = len(STEPS) - 1 if self.check else len(STEPS)
        self.draw(min(1.0, done / total), step_in_words(step, count, check=self.check))
