"""Pages of the designated sharing enterprises: an operator applies, the bureau reviews every
stage and decides, grants and loans; permissions; bad input on every field writes nothing."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest

from sharingcity.core.models import Notification
from sharingcity.sharing.models import Designation, EnterpriseApplication, Grant, Loan, Repayment
from sharingcity.sharing.services import enterprises as ent
from tests import factories as f

from . import factories as sf

pytestmark = pytest.mark.django_db
DOCS = sf.DOCUMENTS
APPLY = "/en/sharing/enterprises/apply/"
MINE = "/en/sharing/enterprises/mine/"
QUEUE = "/en/sharing/enterprises/review/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def application_data(org, **kw):
    data = {
        "organisation": org.pk,
        "legal_form": "cooperative",
        "registration_number": "123-45-67890",
        "sharing_since": (date.today() - timedelta(days=400)).isoformat(),
        "description": "공구 도서관을 3년째 운영합니다.",
        "documents": DOCS,
        "links": "https://example.org/report.pdf\n",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def applied(org, operator):
    return sf.apply_for_designation(operator, org)


def designated(org, operator, admin):
    return sf.designate(operator, org, admin)


def detail(app) -> str:
    return f"{QUEUE}{app.pk}/"


def test_apply_review_designate_grant_loan_journey(client):
    org = f.organisation()
    operator = f.operator(org)
    admin = f.bureau_admin()
    client.force_login(operator)
    page = client.get(APPLY)
    assert page.status_code == 200 and 'id="application-form"' in page.content.decode()
    r = client.post(APPLY, application_data(org))
    assert r.status_code == 302 and r.url == MINE
    app = EnterpriseApplication.objects.get()
    assert app.documents == [*DOCS, "https://example.org/report.pdf"]
    mine = text(client.get(MINE))
    assert "Submitted" in mine and 'href="https://example.org/report.pdf"' in mine
    assert "Business plan" in mine

    client.force_login(admin)
    queue = text(client.get(QUEUE))
    assert f'data-application-id="{app.pk}"' in queue
    for after, score in [("documents", 90), ("site_visit", 80), ("presentation", 85)]:
        r = client.post(
            detail(app),
            {
                "action": "review",
                "review-passed": "yes",
                "review-score": score,
                "review-note": "좋음",
            },
        )
        assert r.status_code == 302
        app.refresh_from_db()
        assert app.stage == after
    client.post(detail(app), {"action": "review", "review-passed": "yes"})
    app.refresh_from_db()
    assert app.stage == "committee" and len(app.reviews) == 4
    page = text(client.get(detail(app)))
    assert 'id="decide-form"' in page and 'id="review-form"' not in page and "90" in page
    r = client.post(
        detail(app), {"action": "decide", "decide-designate": "yes", "decide-note": "지정"}
    )
    assert r.status_code == 302
    designation = Designation.objects.get(organisation=org)
    assert designation.valid_until.year == designation.valid_from.year + 3
    assert Notification.objects.filter(recipient=operator, kind="sharing.enterprise.decided")

    client.force_login(operator)
    mine = text(client.get(MINE))
    assert "Designated" in mine and f"?renewal={designation.pk}" in mine
    r = client.post(
        MINE,
        {
            "grant-designation": designation.pk,
            "grant-track": "open",
            "grant-project": "동네 공구함",
            "grant-amount": 30_000_000,
        },
    )
    assert r.status_code == 302
    grant = Grant.objects.get()

    client.force_login(admin)
    assert "동네 공구함" in text(client.get(QUEUE))
    due = (date.today() + timedelta(days=365)).isoformat()
    r = client.post(
        detail(app),
        {
            "action": "award",
            "grant": grant.pk,
            f"award-{grant.pk}-amount": 20_000_000,
            f"award-{grant.pk}-report_due": due,
        },
    )
    assert r.status_code == 302
    grant.refresh_from_db()
    assert (grant.state, grant.amount_awarded) == ("awarded", 20_000_000)

    client.force_login(operator)
    assert f'id="report-{grant.pk}"' in text(client.get(MINE))
    r = client.post(f"/en/sharing/enterprises/grants/{grant.pk}/report/")
    grant.refresh_from_db()
    assert r.status_code == 302 and grant.state == "reported"

    client.force_login(admin)
    r = client.post(
        detail(app),
        {
            "action": "loan",
            "loan-amount": 10_000_000,
            "loan-annual_rate": "2.0",
            "loan-term_months": 12,
            "loan-disbursed_on": "2030-01-31",
        },
    )
    assert r.status_code == 302
    loan = Loan.objects.get(organisation=org)
    first = loan.repayments.first()
    assert loan.repayments.count() == 12 and first.due == date(2030, 2, 28)
    r = client.post(detail(app), {"action": "repaid", "repayment": first.pk})
    first.refresh_from_db()
    assert r.status_code == 302 and first.paid_at is not None
    r = client.post(detail(app), {"action": "repaid", "repayment": first.pk}, follow=True)
    assert "recorded as paid already" in text(r)

    client.force_login(operator)
    mine = text(client.get(MINE))
    assert f'id="loan-{loan.pk}"' in mine and "Record as paid" not in mine


def test_renewal_from_the_designation(client):
    org = f.organisation()
    operator = f.operator(org)
    _app, designation = designated(org, operator, f.bureau_admin())
    client.force_login(operator)
    page = text(client.get(f"{APPLY}?renewal={designation.pk}"))
    assert "Apply to renew the designation" in page
    r = client.post(APPLY, application_data(org, renewal_of=designation.pk))
    assert r.status_code == 302
    assert EnterpriseApplication.objects.filter(renewal_of=designation).count() == 1


def test_rejection_reason_is_shown_to_the_operator(client):
    org = f.organisation()
    operator = f.operator(org)
    app = applied(org, operator)
    client.force_login(f.bureau_admin())
    r = client.post(
        detail(app), {"action": "review", "review-passed": "no", "review-note": "사업자등록증 없음"}
    )
    assert r.status_code == 302
    client.force_login(operator)
    mine = text(client.get(MINE))
    assert "Not designated" in mine and "사업자등록증 없음" in mine


@pytest.mark.parametrize("url", [QUEUE, "{detail}"])
def test_residents_operators_and_officers_are_refused_bureau_pages(client, url):
    org = f.organisation()
    app = applied(org, f.operator(org))
    url = url.format(detail=detail(app))
    for who in (f.resident(), f.operator(org), f.officer()):
        client.force_login(who)
        r = client.get(url)
        assert r.status_code == 403 and "Not allowed" in text(r)
    r = client.post(detail(app), {"action": "review", "review-passed": "yes"})
    assert r.status_code == 403
    app.refresh_from_db()
    assert app.stage == "submitted"


def test_residents_are_refused_operator_pages(client):
    client.force_login(f.resident())
    assert client.get(APPLY).status_code == 403
    assert client.get(MINE).status_code == 403
    client.logout()
    assert client.get(MINE).status_code == 302  # to the log-in page


def test_operator_sees_only_their_own_organisation(client):
    org, other = f.organisation(), f.organisation("Other co-op")
    operator, other_operator = f.operator(org), f.operator(other)
    admin = f.bureau_admin()
    applied(org, operator)
    _app, other_designation = designated(other, other_operator, admin)
    other_grant = ent.check_request_grant(
        actor=other_operator, designation=other_designation, track="open", project="X", amount=5
    )
    ent.check_award_grant(actor=admin, grant=other_grant, amount=5, report_due=date(2031, 1, 1))
    client.force_login(operator)
    mine = text(client.get(MINE))
    assert "Kiple" in mine and "Other co-op" not in mine
    assert client.get(f"{APPLY}?renewal={other_designation.pk}").status_code == 404
    r = client.post(f"/en/sharing/enterprises/grants/{other_grant.pk}/report/")
    assert r.status_code == 404
    other_grant.refresh_from_db()
    assert other_grant.state == "awarded"
    r = client.post(APPLY, application_data(other))
    assert r.status_code == 400 and "Select a valid choice" in text(r)
    r = client.post(APPLY, application_data(org, renewal_of=other_designation.pk))
    assert r.status_code == 400
    assert EnterpriseApplication.objects.filter(organisation=other).count() == 1
    r = client.post(
        MINE,
        {
            "grant-designation": other_designation.pk,
            "grant-track": "open",
            "grant-project": "X",
            "grant-amount": 5,
        },
    )
    assert r.status_code == 400 and Grant.objects.count() == 1


RECENT = (date.today() - timedelta(days=30)).isoformat()
FUTURE = (date.today() + timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"organisation": None}, "This field is required."),
        ({"legal_form": "pirate"}, "Select a valid choice."),
        ({"registration_number": "12345"}, "Give the business registration number as"),
        ({"registration_number": "123-45-678901"}, "at most 12 characters"),
        ({"sharing_since": RECENT}, "At least 6 months of sharing activity are needed."),
        ({"sharing_since": FUTURE}, "The date is in the future."),
        ({"sharing_since": "last spring"}, "Enter a valid date."),
        ({"description": ""}, "This field is required."),
        ({"description": "   "}, "This field is required."),
        ({"documents": ["business_plan"]}, "These documents are missing: Business registration"),
        ({"documents": ["passport"]}, "Select a valid choice."),
        ({"links": "\n".join(f"doc {i}" for i in range(11))}, "Give at most 10 documents"),
        ({"links": "x" * 301}, "at most 300 characters"),
    ],
)
def test_application_form_errors_write_nothing(client, change, message):
    org = f.organisation()
    client.force_login(f.operator(org))
    r = client.post(APPLY, application_data(org, **change))
    assert r.status_code == 400 and message in text(r)
    assert not EnterpriseApplication.objects.exists()


def test_second_open_application_is_refused(client):
    org = f.organisation()
    operator = f.operator(org)
    applied(org, operator)
    client.force_login(operator)
    r = client.post(APPLY, application_data(org))
    assert r.status_code == 400 and "has an application under review" in text(r)
    assert EnterpriseApplication.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"review-passed": "maybe"}, "Select a valid choice."),
        ({"review-passed": "yes", "review-score": "150"}, "Score from 0 to 100."),
        ({"review-passed": "yes", "review-score": "high"}, "Enter a whole number."),
        ({"review-passed": "no", "review-note": " "}, "Say why the application stops here."),
        ({"review-passed": "no", "review-note": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_stage_review_errors_write_nothing(client, data, message):
    org = f.organisation()
    app = applied(org, f.operator(org))
    client.force_login(f.bureau_admin())
    r = client.post(detail(app), {"action": "review", **data})
    assert r.status_code == 400 and message in text(r)
    app.refresh_from_db()
    assert (app.stage, app.reviews) == ("submitted", [])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"decide-designate": "perhaps"}, "Select a valid choice."),
        ({"decide-designate": "yes", "decide-note": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_decision_errors_write_nothing(client, data, message):
    org = f.organisation()
    admin = f.bureau_admin()
    app = applied(org, f.operator(org))
    for _stage in range(4):
        ent.check_review_stage(actor=admin, application=app, passed=True)
    client.force_login(admin)
    r = client.post(detail(app), {"action": "decide", **data})
    assert r.status_code == 400 and message in text(r)
    app.refresh_from_db()
    assert app.stage == "committee" and not Designation.objects.exists()


def test_decision_before_the_committee_stage_is_not_offered(client):
    org = f.organisation()
    app = applied(org, f.operator(org))
    client.force_login(f.bureau_admin())
    assert 'id="decide-form"' not in text(client.get(detail(app)))
    r = client.post(detail(app), {"action": "decide", "decide-designate": "yes"})
    assert r.status_code == 200 and not Designation.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"grant-designation": "999999"}, "Select a valid choice."),
        ({"grant-track": "everything"}, "Select a valid choice."),
        ({"grant-project": ""}, "This field is required."),
        ({"grant-project": "  "}, "This field is required."),
        ({"grant-amount": "0"}, "The amount must be positive."),
        ({"grant-amount": "lots"}, "Enter a whole number."),
    ],
)
def test_grant_request_errors_write_nothing(client, change, message):
    org = f.organisation()
    operator = f.operator(org)
    _app, designation = designated(org, operator, f.bureau_admin())
    client.force_login(operator)
    data = {
        "grant-designation": designation.pk,
        "grant-track": "open",
        "grant-project": "공구함",
        "grant-amount": 1000,
        **change,
    }
    r = client.post(MINE, data)
    assert r.status_code == 400 and message in text(r)
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "2000"}, "Award between 0 and the amount requested."),
        ({"amount": "-1"}, "Award between 0 and the amount requested."),
        ({"amount": ""}, "This field is required."),
        ({"report_due": "soon"}, "Enter a valid date."),
    ],
)
def test_award_errors_write_nothing(client, change, message):
    org = f.organisation()
    operator = f.operator(org)
    admin = f.bureau_admin()
    app, designation = designated(org, operator, admin)
    grant = ent.check_request_grant(
        actor=operator, designation=designation, track="open", project="공구함", amount=1000
    )
    client.force_login(admin)
    data = {"amount": "500", "report_due": "2031-01-01", **change}
    r = client.post(
        detail(app),
        {
            "action": "award",
            "grant": grant.pk,
            **{f"award-{grant.pk}-{k}": v for k, v in data.items()},
        },
    )
    assert r.status_code == 400 and message in text(r)
    grant.refresh_from_db()
    assert grant.state == "requested" and grant.amount_awarded is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "0"}, "The amount must be positive."),
        ({"amount": "much"}, "Enter a whole number."),
        ({"annual_rate": "25"}, "The rate is 0 to 20 %."),
        ({"annual_rate": "-1"}, "The rate is 0 to 20 %."),
        ({"annual_rate": "low"}, "Enter a number."),
        ({"term_months": "0"}, "The term is 1 to 120 months."),
        ({"term_months": "121"}, "The term is 1 to 120 months."),
        ({"disbursed_on": "2030-02-30"}, "Enter a valid date."),
    ],
)
def test_loan_errors_write_nothing(client, change, message):
    org = f.organisation()
    app = applied(org, f.operator(org))
    client.force_login(f.bureau_admin())
    data = {
        "amount": "1000000",
        "annual_rate": "2",
        "term_months": "12",
        "disbursed_on": "2030-01-01",
    }
    data.update(change)
    r = client.post(detail(app), {"action": "loan", **{f"loan-{k}": v for k, v in data.items()}})
    assert r.status_code == 400 and message in text(r)
    assert not Loan.objects.exists() and not Repayment.objects.exists()


def test_korean_pages(client):
    org = f.organisation()
    operator = f.operator(org)
    app = applied(org, operator)
    client.force_login(operator)
    mine = text(client.get(MINE.replace("/en/", "/ko/")))
    assert "지정 신청" in mine and "Applications" not in mine
    client.force_login(f.bureau_admin())
    page = text(client.get(detail(app).replace("/en/", "/ko/")))
    assert "심사 단계" in page and "Review stages" not in page
