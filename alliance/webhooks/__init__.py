"""Outgoing signed webhooks: endpoints registered by staff and organization admins, fed by the audit trail."""
