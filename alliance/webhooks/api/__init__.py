"""The webhooks API: ``serializers``, ``views``, ``filters`` (query serializers) and ``urls`` (``register``).

``register`` is named here too, so ``from alliance.webhooks import api; api.register(router)`` keeps working.
"""

from .urls import register

__all__ = ["register"]
