"""The file reads as its format, and one of its layers can be taken for the target layer."""

from __future__ import annotations

from ..context import UploadContext
from ..findings import Finding, from_error


class Parses:
    code = "parse_failed"
    gate = True

    def check(self, ctx: UploadContext) -> list[Finding]:
        if ctx.read.error is not None:
            return [from_error(self.code, ctx.read.error)]
        if ctx.choice.error is not None:
            return [from_error("layer_choice", ctx.choice.error)]
        return []
