"""Field teams' submissions: every upload kept, accepted ones queued for review."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Term, UserError
from ..readers import ReadOptions
from ..store import NewFeature, Store
from ..store.base import Submission, Upload
from ..validation import ValidationReport, validate_upload
from . import audit, review
from .auth import Permission, Principal, require
from .importing import layer_spec
from .layer_access import LayerAction, require_layer

RESUBMITTABLE = ("needs_changes", "rejected")
TOO_LARGE = "upload_too_large"  # the finding whose file is not kept


@dataclass(frozen=True)
class SubmitResult:
    report: ValidationReport
    upload: Upload
    submission: Submission | None  # None when the file was refused


def _check_answers(store: Store, principal: Principal, answers: int, layer: str) -> None:
    prior = store.get_submission(answers)
    if prior.status not in RESUBMITTABLE:
        raise UserError("submission.not_resubmittable", id=answers, status=Term(f"status.{prior.status}"))
    if prior.layer != layer:
        raise UserError("submission.layer_mismatch", id=answers, layer=prior.layer)
    if prior.submitted_by != principal.username and not principal.can(Permission.REVIEW):
        raise UserError("submission.not_yours", id=answers)


def submit(
    store: Store,
    principal: Principal,
    data: bytes,
    filename: str,
    layer: str,
    *,
    note: str | None = None,
    answers: int | None = None,
    replace_district: str | None = None,
    options: ReadOptions | None = None,
) -> SubmitResult:
    """Validate a file and queue it for review; its bytes are kept whatever the verdict, except
    for a file refused by its size (then its hash, size, name, sender and time are recorded)."""
    require(principal, Permission.SUBMIT)
    require_layer(principal, layer_spec(layer), LayerAction.SUBMIT)
    if answers is not None:
        _check_answers(store, principal, answers, layer)
    report = validate_upload(data, filename, layer, options or ReadOptions(), store)
    with store.transaction():
        keep = not any(e.code == TOO_LARGE for e in report.errors)
        upload = store.add_upload(
            data, filename, layer, principal.username, report.ok, report.to_dict("zh"), keep=keep
        )
        if not report.ok:
            refused = {"upload_id": upload.id, "errors": [e.code for e in report.errors]}
            audit.record(store, principal.username, "upload_refused", layer=layer, detail=refused)
            return SubmitResult(report, upload, None)
        features = [NewFeature(f.feature_id, f.geometry, f.properties) for f in report.features]
        submission = store.add_submission(
            layer, upload.id, features, by=principal.username, note=note, answers=answers,
            replace_district=replace_district,
        )  # fmt: skip
        if answers is not None:
            review.answered(store, answers, principal.username)
        audit.record(
            store, principal.username, "submit", submission_id=submission.id, layer=layer,
            feature_ids=[f.feature_id for f in features],
            after_hashes={f.feature_id: audit.geometry_hash(f.geometry) for f in features},
            detail={"upload_id": upload.id, "answers": answers, "note": note},
        )  # fmt: skip
    return SubmitResult(report, upload, submission)


def upload_of(store: Store, principal: Principal, submission_id: int) -> Upload:
    """The upload behind a submission (file name, stored validation report), for those who may
    see the submission."""
    sub = store.get_submission(submission_id)
    if not principal.can(Permission.VIEW_ALL_SUBMISSIONS) and sub.submitted_by != principal.username:
        require(principal, Permission.VIEW_ALL_SUBMISSIONS)
    return store.get_upload(sub.upload_id)


def visible_submissions(store: Store, principal: Principal, status: str | None = None) -> list[Submission]:
    """All submissions for those who may see them; a field team sees its own."""
    if principal.can(Permission.VIEW_ALL_SUBMISSIONS):
        return store.submissions(status=status)
    require(principal, Permission.SUBMIT)
    return store.submissions(status=status, by=principal.username)
