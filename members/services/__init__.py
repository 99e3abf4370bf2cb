"""Every write of the members domain: organizations, applications, people, invitations, domains, tokens.

Each service checks permission and state, raises ``DomainError`` (or ``NotPermitted``) with a message a
person understands, writes inside one transaction, records an audit entry and notifies after commit.
Views, the API, the admin and tasks call these functions; they never change these rows themselves.

One module per sub-domain; every public name is re-exported here, so callers write ``services.<name>``.
``_common`` holds what the modules share and is private to the package.
"""

from .affiliations import (
    LAST_ADMIN,
    ROLE_UNKNOWN,
    affiliation_change_role,
    affiliation_remove,
    affiliation_update_profile,
    lock_and_count_admins,
    person_listing_consent_set,
    person_update_profile,
)
from .applications import (
    CHARTER_NOT_ACCEPTED,
    application_approve,
    application_reject,
    application_request_changes,
    application_resubmit,
    application_submit,
    application_withdraw,
    require_application_decider,
    require_charter_accepted,
)
from .domains import (
    domain_add,
    domain_remove,
    join_request_approve,
    join_request_create,
    join_request_decline,
)
from .erasure import account_credentials_check, erased_address, person_account_empty, person_memberships_end
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_vouches_for,
)
from .membership import (
    CHARTER_NOT_ACCEPTED_FOR_RENEWAL,
    TIER_EDITABLE_FIELDS,
    add_months,
    invoice_mark_paid,
    membership_reminders_send,
    membership_renew,
    membership_term_correct,
    membership_term_start,
    require_membership_renewer,
    require_tier,
    term_end_for,
    tier_create,
    tier_update,
)
from .organizations import (
    ORGANIZATION_EDITABLE_FIELDS,
    organization_change_status,
    organization_register,
    organization_update,
    require_organization_admin,
    require_organization_manager,
)
from .retention import accounts_unverified_delete
from .tokens import (
    INVALID_CREDENTIALS,
    MFA_REQUIRED,
    api_token_authenticate,
    api_token_create,
    api_token_obtain,
    api_token_revoke,
    api_tokens_revoke_for_mfa,
    mfa_authenticator_added,
)

__all__ = [
    "CHARTER_NOT_ACCEPTED",
    "CHARTER_NOT_ACCEPTED_FOR_RENEWAL",
    "INVALID_CREDENTIALS",
    "LAST_ADMIN",
    "MFA_REQUIRED",
    "ORGANIZATION_EDITABLE_FIELDS",
    "ROLE_UNKNOWN",
    "TIER_EDITABLE_FIELDS",
    "account_credentials_check",
    "accounts_unverified_delete",
    "add_months",
    "affiliation_change_role",
    "affiliation_remove",
    "affiliation_update_profile",
    "api_token_authenticate",
    "api_token_create",
    "api_token_obtain",
    "api_token_revoke",
    "api_tokens_revoke_for_mfa",
    "application_approve",
    "application_reject",
    "application_request_changes",
    "application_resubmit",
    "application_submit",
    "application_withdraw",
    "domain_add",
    "domain_remove",
    "erased_address",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
    "invitation_vouches_for",
    "invoice_mark_paid",
    "join_request_approve",
    "join_request_create",
    "join_request_decline",
    "lock_and_count_admins",
    "membership_reminders_send",
    "membership_renew",
    "membership_term_correct",
    "membership_term_start",
    "mfa_authenticator_added",
    "organization_change_status",
    "organization_register",
    "organization_update",
    "person_account_empty",
    "person_listing_consent_set",
    "person_memberships_end",
    "person_update_profile",
    "require_application_decider",
    "require_charter_accepted",
    "require_membership_renewer",
    "require_organization_admin",
    "require_organization_manager",
    "require_tier",
    "term_end_for",
    "tier_create",
    "tier_update",
]
