import pytest

from tests import factories as f

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_language_switch_and_login(page):
    f.resident("browser-user")
    page.goto("/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#lang-select", "ko")
    page.locator("form.lang button").click()
    page.wait_for_url("**/ko/**")
    assert page.locator("html").get_attribute("lang") == "ko"
    log_in(page, "browser-user", f.PASSWORD)
    assert page.get_by_role("link", name="browser-user").is_visible()
