from ducha.org.choices import UnitKind
from ducha.org.models import Unit
from ducha.org.resolve import resolve_unit


def test_reference_units_are_inner_mongolias_divisions(small):
    leagues = Unit.objects.filter(kind=UnitKind.LEAGUE)
    assert leagues.count() == 12
    assert Unit.objects.filter(kind=UnitKind.COUNTY).count() == 103
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 20
    assert Unit.objects.get(code="150600").name == "鄂尔多斯市"
    assert Unit.objects.get(code="150602").parent.code == "150600"


def test_old_and_short_names_resolve_to_todays_unit(small):
    assert resolve_unit("伊克昭盟").code == "150600"
    assert resolve_unit("哲里木盟").code == "150500"
    assert resolve_unit("昭乌达盟").code == "150400"
    assert resolve_unit("鄂尔多斯").code == "150600"
    assert resolve_unit("１５０６００").code == "150600"  # full-width digits
    assert resolve_unit(" 科尔沁区 ", parent=resolve_unit("通辽市")).code == "150502"
    assert resolve_unit("不存在的地方") is None


def test_the_system_actor_logs_its_own_creation(db):
    from ducha.core.changelog import verify_chain
    from ducha.core.models import ChangeLogEntry
    from ducha.org.actions import system_actor

    actor = system_actor()
    assert system_actor() == actor  # created once (the session's reference data created it first)
    rows = list(ChangeLogEntry.objects.order_by("seq"))[:2]
    assert [r.object_type for r in rows] == ["auth.user", "org.role"]
    assert [r.object_id for r in rows] == [str(actor.pk), str(actor.role.pk)]
    assert {r.actor_name for r in rows} == {actor.username}
    assert "password" not in rows[0].after
    assert verify_chain().ok
