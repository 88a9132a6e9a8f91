import pytest

from sharingcity.core import services
from sharingcity.core.errors import Conflict, InvalidInput, NotAllowed
from sharingcity.core.models import (
    AuditEntry,
    CensusRecord,
    ResidentProfile,
    Role,
    RoleAssignment,
    User,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_register_resident_creates_unverified_profile_and_role():
    f.district("mapo", name_en="Mapo-gu")
    user = services.do_register_resident(
        username="jiwoo",
        email="j@example.org",
        password="a-long-password-1",
        district_code="mapo",
        age_band="20-29",
        birth_year=1999,
    )
    assert user.resident.district.code == "mapo"
    assert user.resident.verification == ResidentProfile.Verification.UNVERIFIED
    assert RoleAssignment.objects.filter(user=user, role=Role.RESIDENT).exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"username": " "}, "missing_username"),
        ({"district_code": "atlantis"}, "unknown_district"),
        ({"age_band": "teen"}, "invalid_age_band"),
        ({"birth_year": 1800}, "invalid_birth_year"),
        ({"password": "123"}, "weak_password"),
    ],
)
def test_register_resident_refuses_bad_input_and_writes_nothing(kwargs, code):
    f.district()
    base = {
        "username": "minjun",
        "email": "m@example.org",
        "password": "a-long-password-1",
        "district_code": "jongno",
    }
    with pytest.raises(InvalidInput) as e:
        services.do_register_resident(**{**base, **kwargs})
    assert e.value.code == code
    assert not User.objects.filter(username="minjun").exists()


def test_register_resident_refuses_taken_name():
    f.resident("taken")
    with pytest.raises(Conflict):
        services.do_register_resident(
            username="TAKEN", email="", password="a-long-password-1", district_code="jongno"
        )


def test_census_import_and_verification_by_census_match():
    admin, officer = f.bureau_admin(), f.officer()
    resident = f.resident("seoyeon", verified=False)
    n = services.check_import_census(
        actor=admin,
        data="full_name,birth_year,district\n김 서연,1990,jongno\n이 도윤,1985,mapo\n".replace(
            "mapo", "jongno"
        ),
    )
    assert n == 2 and CensusRecord.objects.count() == 2
    profile = services.check_verify_resident(
        actor=officer,
        profile=resident.resident,
        method_key="census",
        evidence={"full_name": "김  서연"},
    )
    assert profile.is_verified and profile.verified_by == officer
    assert AuditEntry.objects.filter(action="core.resident.verified", actor=officer).exists()


def test_census_mismatch_rejects():
    officer = f.officer()
    resident = f.resident("nobody", verified=False)
    profile = services.check_verify_resident(
        actor=officer,
        profile=resident.resident,
        method_key="census",
        evidence={"full_name": "홍길동"},
    )
    assert profile.verification == ResidentProfile.Verification.REJECTED


def test_census_import_is_all_or_nothing_with_line_numbers():
    admin = f.bureau_admin()
    f.district()
    with pytest.raises(InvalidInput) as e:
        services.check_import_census(
            actor=admin,
            data="full_name,birth_year,district\nA,1990,jongno\nB,abc,jongno\n,1990,jongno\nC,1990,nowhere\n",
        )
    assert [r["line"] for r in e.value.details["rows"]] == [3, 4, 5]
    assert CensusRecord.objects.count() == 0


def test_census_import_needs_header_and_bureau_admin():
    with pytest.raises(InvalidInput) as e:
        services.check_import_census(actor=f.bureau_admin(), data="name,year\n")
    assert e.value.code == "bad_census_header"
    with pytest.raises(NotAllowed):
        services.check_import_census(actor=f.officer(), data="full_name,birth_year,district\n")


def test_in_person_verification_needs_document_and_address():
    officer = f.officer()
    r = f.resident(verified=False)
    with pytest.raises(InvalidInput) as e:
        services.check_verify_resident(
            actor=officer, profile=r.resident, method_key="in_person", evidence={}
        )
    assert e.value.field == "document"
    p = services.check_verify_resident(
        actor=officer,
        profile=r.resident,
        method_key="in_person",
        evidence={"document": "ID card", "address_in_district": True},
    )
    assert p.is_verified


def test_residents_cannot_verify_and_unknown_method_is_named():
    r = f.resident(verified=False)
    with pytest.raises(NotAllowed):
        services.check_verify_resident(
            actor=f.resident(), profile=r.resident, method_key="in_person", evidence={}
        )
    with pytest.raises(InvalidInput) as e:
        services.check_verify_resident(
            actor=f.officer(), profile=r.resident, method_key="dna", evidence={}
        )
    assert e.value.code == "unknown_verification_method"


def test_grant_role_rules():
    admin = f.bureau_admin()
    u = f.user()
    with pytest.raises(InvalidInput):
        services.check_grant_role(actor=admin, user=u, role=Role.DEPARTMENT_OFFICER)
    with pytest.raises(InvalidInput):
        services.check_grant_role(actor=admin, user=u, role=Role.CITIZEN_OVERSEER)
    services.check_grant_role(
        actor=admin, user=u, role=Role.DEPARTMENT_OFFICER, department=f.department()
    )
    with pytest.raises(Conflict):
        services.check_grant_role(
            actor=admin, user=u, role=Role.DEPARTMENT_OFFICER, department=f.department()
        )
    with pytest.raises(NotAllowed):
        services.check_grant_role(actor=u, user=f.user(), role=Role.BUREAU_ADMIN)
    assert AuditEntry.objects.filter(action="core.role.granted").count() == 1


def test_preferences_validation():
    u = f.user()
    with pytest.raises(InvalidInput):
        services.do_set_preferences(
            user=u, notification_frequency="hourly", preferred_language="ko"
        )
    services.do_set_preferences(user=u, notification_frequency="immediate", preferred_language="en")
    u.refresh_from_db()
    assert (u.notification_frequency, u.preferred_language) == ("immediate", "en")
