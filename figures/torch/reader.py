"""The checker of the Torch rule data: the certification ladder's reader, with its own error."""

from __future__ import annotations

from ladder.engine.reader import Reader, RuleDataError


class TorchRulesError(RuleDataError):
    """Invalid Torch rule data; the message is one line naming the version and the field path."""


class TorchReader(Reader):
    def error(self, path: str, problem: str) -> TorchRulesError:
        return TorchRulesError(str(super().error(path, problem)))
