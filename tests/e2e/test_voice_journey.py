"""A resident submits a proposal, an officer of the responsible department answers it, and the
resident sees the answer: the promise of a personal reply, in a real browser."""

import re

import pytest

from sharingcity.voice.models import Proposal
from tests import factories as f
from tests.voice import factories as vf

from .conftest import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_proposes_officer_answers_resident_reads_the_answer(page):
    department = f.department()
    vf.rule("transport", department)
    f.resident("minji")
    f.officer(department, username="seoyeon")

    log_in(page, "minji", f.PASSWORD)
    page.goto("/en/voice/proposals/new/")
    page.get_by_label("Title").fill("Extend the night bus to Jongno")
    page.get_by_label("Your proposal").fill(
        "Many residents come home after 1 am and there is no bus. Please extend the N26 line."
    )
    page.get_by_label("Category").select_option("transport")
    page.get_by_label("District").select_option("jongno")
    page.locator("#submit-proposal").click()
    page.wait_for_url(re.compile(r"/en/voice/proposals/\d+/$"))
    proposal = Proposal.objects.get(title="Extend the night bus to Jongno")
    assert proposal.lead_department_id == department.pk
    log_out(page)

    log_in(page, "seoyeon", f.PASSWORD)
    page.goto("/en/voice/staff/inbox/")
    page.get_by_role("link", name="Extend the night bus to Jongno").first.click()
    page.locator("#write-reply").click()
    page.get_by_label("Outcome").select_option("reflected")
    page.get_by_label("Answer to the resident").fill(
        "Thank you. From March the N26 runs to Jongno every 20 minutes."
    )
    page.locator("#publish-reply").click()
    page.wait_for_load_state()
    log_out(page)

    log_in(page, "minji", f.PASSWORD)
    page.goto(f"/en/voice/proposals/{proposal.pk}/")
    assert page.get_by_text("From March the N26 runs to Jongno every 20 minutes.").is_visible()
    page.goto("/en/notifications/")
    assert page.get_by_text("Extend the night bus to Jongno", exact=False).first.is_visible()
