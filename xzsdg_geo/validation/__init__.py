"""Validation of field uploads: one check per module under ``checks/``, run by :mod:`registry`.

The public entry point is :func:`validate_upload` (the upload page, the ``validate`` command and
the ``submit`` service call it); it returns a :class:`ValidationReport` whose findings are split
into blocking errors and warnings by :mod:`severity`.
"""

from .findings import Finding
from .registry import VALIDATORS, Validator
from .report import FeatureReport, ValidationReport
from .run import validate_upload
from .settings import CheckSettings, ValidationSettings, validation_settings

__all__ = [
    "VALIDATORS",
    "CheckSettings",
    "FeatureReport",
    "Finding",
    "ValidationReport",
    "ValidationSettings",
    "Validator",
    "validate_upload",
    "validation_settings",
]
