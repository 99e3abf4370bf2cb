"""The catalog: tools, models, datasets, benchmarks and learning resources that projects publish, validated by staff.

A module set of the projects app with every part in its usual place (models, services, selectors, api/, views,
urls, forms, admin, tasks), so a reader finds each rule where they would in an app. Its model belongs to the
``projects`` app (``projects.models`` imports it), its pages to the ``projects`` URL namespace and its API to the
one router, through ``projects/api/urls.py``. Catalog services ask only the projects selectors, never the
projects services, so ``projects.services`` can re-export them.
"""
