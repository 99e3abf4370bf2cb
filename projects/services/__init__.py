"""Every write of the projects domain, by sub-domain: ``proposals`` (drafts, reviews, decisions, the lifecycle),
``participation`` (joining, roles, leaving, the last-lead rule), ``updates``, ``focus_areas``; the catalog's
services live in ``projects.catalog.services`` and are re-exported here for callers that know them by this name.

Who may act is asked of ``projects.selectors`` (``may_*``); each ``require_may_*`` here turns a "no" into the
``NotPermitted`` a person reads, and is what the pages and the API call before they read a body.
"""

from projects.catalog.services import (
    CATALOG_CHECKLIST,
    catalog_checklist_check,
    catalog_entry_deprecate,
    catalog_entry_submit,
    catalog_entry_validate,
    catalog_expire_due,
    require_may_deprecate_catalog_entry,
    require_may_submit_catalog_entry,
    require_may_validate_catalog_entry,
)

from .erasure import person_projects_leave
from .focus_areas import FOCUS_AREA_EDITABLE_FIELDS, focus_area_create, focus_area_update
from .participation import (
    JOIN_MESSAGE_MAX_LENGTH,
    participation_approve,
    participation_change_role,
    participation_decline,
    participation_join,
    participation_leave,
    participation_remove,
    require_may_join,
    require_may_manage_participants,
    require_may_remove_participant,
)
from .proposals import (
    PROJECT_EDITABLE_FIELDS,
    project_accept,
    project_archive,
    project_create,
    project_promote,
    project_reject,
    project_request_archive,
    project_revive,
    project_submit,
    project_update,
    proposal_review_add,
    require_may_decide,
    require_may_edit,
    require_may_propose,
    require_may_request_archive,
    require_may_submit,
)
from .updates import project_update_post, require_may_post_update

__all__ = [
    "CATALOG_CHECKLIST",
    "FOCUS_AREA_EDITABLE_FIELDS",
    "JOIN_MESSAGE_MAX_LENGTH",
    "PROJECT_EDITABLE_FIELDS",
    "catalog_checklist_check",
    "catalog_entry_deprecate",
    "catalog_entry_submit",
    "catalog_entry_validate",
    "catalog_expire_due",
    "focus_area_create",
    "focus_area_update",
    "participation_approve",
    "participation_change_role",
    "participation_decline",
    "participation_join",
    "participation_leave",
    "participation_remove",
    "person_projects_leave",
    "project_accept",
    "project_archive",
    "project_create",
    "project_promote",
    "project_reject",
    "project_request_archive",
    "project_revive",
    "project_submit",
    "project_update",
    "project_update_post",
    "proposal_review_add",
    "require_may_decide",
    "require_may_deprecate_catalog_entry",
    "require_may_edit",
    "require_may_join",
    "require_may_manage_participants",
    "require_may_post_update",
    "require_may_propose",
    "require_may_remove_participant",
    "require_may_request_archive",
    "require_may_submit",
    "require_may_submit_catalog_entry",
    "require_may_validate_catalog_entry",
]
