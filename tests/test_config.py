"""Settings from the environment: numbers parsed, bad values refused with the variable's name."""

import math

import pytest

from rag.config import Settings
from rag.errors import ConfigError


def test_numeric_settings_come_from_the_environment():
    s = Settings.from_env(env={"FACTCHECK_TOP_K": "5", "FACTCHECK_CONCURRENCY": "3",
                               "FACTCHECK_MAX_QUEUE": "7", "FACTCHECK_LOCK_TIMEOUT_S": "0.5"})
    assert (s.top_k, s.concurrency, s.max_queue, s.lock_timeout_s) == (5, 3, 7, 0.5)
    assert Settings.from_env(env={}).lock_timeout_s == 10.0


@pytest.mark.parametrize(("key", "value"), [
    ("FACTCHECK_TOP_K", "eight"), ("FACTCHECK_MAX_QUEUE", "0"),
    ("FACTCHECK_LOCK_TIMEOUT_S", "soon"), ("FACTCHECK_LOCK_TIMEOUT_S", "-1"),
    ("FACTCHECK_LOCK_TIMEOUT_S", str(math.nan)),
])
def test_bad_values_are_refused_with_the_variable_name(key, value):
    with pytest.raises(ConfigError, match=key):
        Settings.from_env(env={key: value})
