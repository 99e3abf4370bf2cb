"""Every write of the benchmark registry, by sub-domain; this package names the public services.

``from projects.benchmarks import services; services.submission_create(...)`` works for every name below.
"""

from .benchmarks import BENCHMARK_EDITABLE_FIELDS, benchmark_define, benchmark_update, clean_metrics
from .objections import objection_dismiss, objection_raise, objection_uphold, require_objection_decider
from .publication import (
    benchmark_rounds_advance,
    previews_lapsed_due,
    release_files,
    release_make,
    round_publish,
    rounds_due_for_publication,
    rounds_due_for_review,
)
from .reviews import plan_review_assignments, review_loads, review_submit, round_review_start
from .rounds import check_round_dates, round_cancel, round_open
from .submissions import (
    EDITABLE_FIELDS as SUBMISSION_EDITABLE_FIELDS,
)
from .submissions import (
    clean_artifacts,
    clean_results,
    clean_system,
    require_submitter,
    submission_create,
    submission_mark_available,
    submission_update,
    submission_withdraw,
)

__all__ = [
    "BENCHMARK_EDITABLE_FIELDS",
    "SUBMISSION_EDITABLE_FIELDS",
    "benchmark_define",
    "benchmark_rounds_advance",
    "benchmark_update",
    "check_round_dates",
    "clean_artifacts",
    "clean_metrics",
    "clean_results",
    "clean_system",
    "objection_dismiss",
    "objection_raise",
    "objection_uphold",
    "plan_review_assignments",
    "previews_lapsed_due",
    "release_files",
    "release_make",
    "require_objection_decider",
    "require_submitter",
    "review_loads",
    "review_submit",
    "round_cancel",
    "round_open",
    "round_publish",
    "round_review_start",
    "rounds_due_for_publication",
    "rounds_due_for_review",
    "submission_create",
    "submission_mark_available",
    "submission_update",
    "submission_withdraw",
]
