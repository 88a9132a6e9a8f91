from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.sharing import selectors
from sharingcity.sharing.models import Designation
from sharingcity.sharing.services import enterprises as ent
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db


_apply = sf.apply_for_designation


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"legal_form": "pirate"}, "invalid_legal_form"),
        ({"registration_number": "12345"}, "invalid_registration_number"),
        ({"sharing_since": date.today() - timedelta(days=100)}, "too_little_activity"),
        ({"sharing_since": date.today() + timedelta(days=1)}, "invalid_date"),
        ({"documents": ["business_plan"]}, "missing_documents"),
        ({"description": " "}, "description_required"),
    ],
)
def test_application_validation(kw, code):
    org = f.organisation()
    with pytest.raises(InvalidInput) as e:
        _apply(f.operator(org), org, **kw)
    assert e.value.code == code


def test_review_stages_designation_grants_loans():
    org = f.organisation()
    operator = f.operator(org)
    admin = f.bureau_admin()
    app = _apply(operator, org)
    with pytest.raises(NotAllowed):
        _apply(f.operator(f.organisation("Other")), org)
    with pytest.raises(Conflict):
        _apply(operator, org)
    with pytest.raises(NotAllowed):
        ent.check_review_stage(actor=operator, application=app, passed=True)
    for _stage in ("documents", "site_visit", "presentation", "committee"):
        with pytest.raises(Conflict):
            ent.check_decide(actor=admin, application=app, designate=True)
        ent.check_review_stage(actor=admin, application=app, passed=True, score=80)
    assert app.stage == "committee"
    d = ent.check_decide(actor=admin, application=app, designate=True, today=date(2030, 3, 1))
    assert (d.valid_from, d.valid_until, d.brand_right) == (
        date(2030, 3, 1),
        date(2033, 2, 28),
        True,
    )
    assert len(app.reviews) == 5
    # directory on a date inside the designation
    rows = selectors.directory(today=date(2031, 1, 1))
    assert [r["organisation"] for r in rows] == [org]
    assert selectors.directory(today=date(2034, 1, 1)) == []
    Designation.objects.filter(pk=d.pk).update(
        valid_from=date.today() - timedelta(days=1), valid_until=date.today() + timedelta(days=100)
    )
    d.refresh_from_db()
    g = ent.check_request_grant(
        actor=operator, designation=d, track="open", project="공구함", amount=30_000_000
    )
    with pytest.raises(InvalidInput):
        ent.check_award_grant(actor=admin, grant=g, amount=40_000_000, report_due=date(2031, 1, 1))
    ent.check_award_grant(actor=admin, grant=g, amount=20_000_000, report_due=date(2031, 1, 1))
    ent.check_grant_report(actor=operator, grant=g)
    assert g.state == "reported"
    loan = ent.check_grant_loan(
        actor=admin,
        organisation=org,
        amount=10_000_000,
        annual_rate=Decimal("2.0"),
        term_months=12,
        disbursed_on=date(2030, 1, 31),
    )
    pays = list(loan.repayments.all())
    assert len(pays) == 12 and sum(p.amount for p in pays) > 10_000_000
    assert pays[0].due == date(2030, 2, 28)
    ent.check_record_repayment(actor=admin, repayment=pays[0])
    with pytest.raises(Conflict):
        ent.check_record_repayment(actor=admin, repayment=pays[0])
    with pytest.raises(InvalidInput):
        ent.check_grant_loan(
            actor=admin,
            organisation=org,
            amount=1,
            annual_rate=Decimal(50),
            term_months=12,
            disbursed_on=date(2030, 1, 1),
        )


def test_rejection_needs_a_reason():
    org = f.organisation()
    app = _apply(f.operator(org), org)
    admin = f.bureau_admin()
    with pytest.raises(InvalidInput):
        ent.check_review_stage(actor=admin, application=app, passed=False)
    ent.check_review_stage(actor=admin, application=app, passed=False, note="서류 미비")
    assert app.stage == "rejected"


def test_zero_rate_instalments_sum_exactly():
    assert sum(ent.instalments(1000, Decimal(0), 3)) == 1000


def test_missing_documents_are_named_for_people():
    org = f.organisation()
    with pytest.raises(InvalidInput) as e:
        _apply(f.operator(org), org, documents=["business_plan"])
    assert e.value.details["missing"] == ["business_registration", "activity_report"]
    assert "Business registration certificate, Report of the sharing activity" in e.value.message


def test_renewal_of_another_organisations_designation_is_refused():
    other = f.organisation("Other")
    other_operator = f.operator(other)
    admin = f.bureau_admin()
    _app, designation = sf.designate(other_operator, other, admin)
    org = f.organisation()
    with pytest.raises(InvalidInput) as e:
        _apply(f.operator(org), org, renewal_of=designation)
    assert e.value.code == "invalid_renewal" and e.value.field == "renewal_of"
    renewal = _apply(other_operator, other, renewal_of=designation)
    assert renewal.renewal_of == designation
