"""What a reader noticed on the way (an overruled .cpg, ignored CAD entities...), told as warnings."""

from __future__ import annotations

from ..context import UploadContext
from ..findings import Finding, finding


class ReaderNotes:
    code = "reader_notes"
    gate = False

    def check(self, ctx: UploadContext) -> list[Finding]:
        return [finding(note.code, detail=note.params, **note.params) for note in ctx.source.notes]
