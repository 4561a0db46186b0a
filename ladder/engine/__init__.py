"""The ladder engine: pure evaluation of the TSME, HNTE, incubation and graduation rules.

No database, no settings, no translation at import: inputs are the dataclasses in
``inputs.py``, rules are ``RuleSet`` values (``rules.py``) read from YAML or from the database,
results are ``Evaluation`` values (``result.py``). The adapters that build inputs from models
live outside this package (``ladder/selectors.py``).
"""
