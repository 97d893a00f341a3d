from tests.core.conftest import desk  # noqa: F401 - the same small help desk, on both databases
from tests.pages.conftest import app_env  # noqa: F401 - an app environment for AppTest pages
