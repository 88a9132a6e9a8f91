"""The sharing hub's Korean catalogue is complete (the same check as the project's and core's)."""

from tests.core.test_translations import ROOT
from tests.core.test_translations import test_korean_catalogue_is_complete as check_complete


def test_sharing_catalogue_is_complete():
    check_complete(ROOT / "sharing/locale/ko/LC_MESSAGES/django.po")


def test_sharing_catalogue_is_compiled():
    po = ROOT / "sharing/locale/ko/LC_MESSAGES/django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        "compile the catalogues first (python -m sharingcity compile_translations)"
    )
