import pytest

from sharingcity.voice import ladder


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """The ladder is cached per process; each test starts from what its database holds."""
    ladder.invalidate()
    yield
    ladder.invalidate()


@pytest.fixture(autouse=True)
def _default_categories(request):
    """The categories come from a data migration; a transactional test elsewhere in the same
    worker flushes them, so put them back for the tests that use the database."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from importlib import import_module

    from django.apps import apps

    from sharingcity.voice.models import Category

    if not Category.objects.exists():
        import_module("sharingcity.voice.migrations.0002_search_and_categories").add_categories(
            apps, None
        )
