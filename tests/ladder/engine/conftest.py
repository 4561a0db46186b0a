import datetime

import pytest

from ladder.engine.rules import load_shipped_rules, rules_in_force

ON = datetime.date(2025, 6, 1)


@pytest.fixture(scope="session")
def shipped():
    return load_shipped_rules()


@pytest.fixture(scope="session")
def tsme_rules(shipped):
    return rules_in_force("tsme", ON, shipped)


@pytest.fixture(scope="session")
def hnte_rules(shipped):
    return rules_in_force("hnte", ON, shipped)


@pytest.fixture(scope="session")
def incubation_rules(shipped):
    return rules_in_force("incubation", ON, shipped)
