import pytest

from sharingcity.voice import ladder


@pytest.fixture(autouse=True)
def _fresh_ladder():
    """The ladder is cached per process; each test starts from what its database holds."""
    ladder.invalidate()
    yield
    ladder.invalidate()
