"""The sampling page's two forms: a draw (按比例抽查; recorded by do_draw_sample) and a
proposal of counties for site visits (下沉旗县; records nothing). Each offers only what
the user may choose: the office every group and unit, a group member its own group and
its units."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ducha.core.access import RoleKind, restrict, role_kind, user_role
from ducha.ledger.models.sampling import WEIGHTING_LABELS, SampleDraw
from ducha.ledger.sampling import suggested_seed
from ducha.org.models import Campaign, Stage, SupervisionGroup, Unit

WHOLE_CAMPAIGN = "all"


def field_label(model, name: str) -> str:
    """A model field's name as a label (the models name the draw's and the project's fields)."""
    return capfirst(model._meta.get_field(name).verbose_name)  # lazy: a form label is made at import


def coverable(user, campaign: Campaign) -> list[tuple[str, str]]:
    """What the user may draw for, as (value, label): g<pk> a group, u<pk> a unit."""
    kind = role_kind(user)
    if kind == RoleKind.OFFICE:
        groups = list(SupervisionGroup.objects.filter(campaign=campaign))
        choices = [(WHOLE_CAMPAIGN, str(_("Whole campaign")))]
    elif kind == RoleKind.GROUP_MEMBER and user_role(user).group is not None:
        groups, choices = [user_role(user).group], []
    else:
        return []
    choices += [(f"g{g.pk}", str(g.name)) for g in groups]
    units = restrict(Unit.objects.select_related("parent"), user).order_by("order", "code")
    # Counties after their league/city, indented.
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    for unit in by_parent.get(None, []):
        choices.append((f"u{unit.pk}", unit.name))
        choices += [(f"u{c.pk}", f"　— {c.name}") for c in by_parent.pop(unit.pk, [])]
    for counties in [v for k, v in by_parent.items() if k is not None]:  # a county assigned alone
        choices += [(f"u{c.pk}", f"{c.parent.name if c.parent else ''} — {c.name}") for c in counties]
    return choices


def may_draw(user) -> bool:
    return role_kind(user) == RoleKind.OFFICE or (
        role_kind(user) == RoleKind.GROUP_MEMBER and user_role(user).group is not None
    )


class DrawForm(forms.Form):
    covers = forms.ChoiceField(label=_("Drawn from"))
    stage = forms.ModelChoiceField(
        label=field_label(SampleDraw, "stage"), queryset=Stage.objects.none(), required=False
    )
    proportion = forms.CharField(
        label=_("Proportion (%)"), max_length=8, help_text=_("At least this share of each unit's projects.")
    )
    minimum = forms.IntegerField(label=field_label(SampleDraw, "minimum"), min_value=0, initial=1)
    weighting = forms.ChoiceField(
        label=field_label(SampleDraw, "weighting"), choices=[(k.value, v) for k, v in WEIGHTING_LABELS.items()]
    )
    seed = forms.CharField(
        label=field_label(SampleDraw, "seed"),
        max_length=64,
        help_text=_("The same seed draws the same sample from the same projects."),
    )

    def __init__(self, *args, user, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["covers"].choices = coverable(user, campaign)  # type: ignore[attr-defined]
        self.fields["stage"].queryset = Stage.objects.filter(campaign=campaign)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("proportion", "10")
            self.initial.setdefault("seed", suggested_seed(campaign.as_of()))

    def clean_proportion(self) -> Decimal:
        text = self.cleaned_data["proportion"].strip().rstrip("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter the proportion as a percent, e.g. 10 for 10%.")) from None
        if not percent.is_finite() or percent.as_tuple().exponent < -2:  # type: ignore[operator]
            raise forms.ValidationError(_("Enter the proportion as a percent with at most two decimals."))
        # The range is the action's rule (do_draw_sample says it at this field).
        return percent / 100

    def action_arguments(self) -> dict:
        covers = self.cleaned_data["covers"]
        target: dict[str, object] = {}
        if covers.startswith("g"):
            target["group"] = SupervisionGroup.objects.get(pk=int(covers[1:]))
        elif covers.startswith("u"):
            target["unit"] = Unit.objects.get(pk=int(covers[1:]))
        return {
            **target,
            "stage": self.cleaned_data["stage"],
            "proportion": self.cleaned_data["proportion"],
            "minimum": self.cleaned_data["minimum"],
            "weighting": self.cleaned_data["weighting"],
            "seed": self.cleaned_data["seed"],
        }


class CountyForm(forms.Form):
    """Counties for site visits: N per league/city, in proportion to their self-inspected projects."""

    per_league = forms.IntegerField(label=_("Counties per league/city"), min_value=1, max_value=50, initial=2)
    county_seed = forms.CharField(label=field_label(SampleDraw, "seed"), max_length=64)
