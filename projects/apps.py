from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    """Focus areas, projects, participation and the catalog (filled by the projects issue)."""

    name = "projects"
