"""A file larger than the upload limit is refused before anything reads it."""

from __future__ import annotations

from ..context import UploadContext
from ..findings import Finding, finding

MB = 1024 * 1024


class UploadSize:
    code = "upload_too_large"
    gate = True

    def check(self, ctx: UploadContext) -> list[Finding]:
        size, limit = len(ctx.upload.data), ctx.upload.settings.upload.max_upload_bytes
        if size <= limit:
            return []
        return [finding(self.code, size_mb=f"{size / MB:.1f}", max_mb=f"{limit / MB:.0f}")]
