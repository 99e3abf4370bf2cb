"""The dashboards: an organization's contributions (its people and staff) and the alliance's figures (staff).

Both read every app through ``alliance.portal.dashboards``, in a fixed number of queries; every chart is an SVG
drawn on the server (``alliance.portal.charts``) beside a table of its numbers, and every table has a CSV.
"""

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.pages import staff_required
from members import selectors as members
from members.models import Organization

from .charts import Series, bar_chart
from .dashboards import Period, alliance_stats, organization_contributions, period_of_dates
from .forms import PeriodForm


def _dashboard_organization(request: HttpRequest, slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not members.may_see_membership(request.user, organization):
        raise Http404("No such organization.")
    return organization


def _period(request: HttpRequest, organization: Organization) -> tuple[PeriodForm, Period, Any]:
    """The period asked for (dates, else a term), else the current term: the form, the period, the membership."""
    membership = members.organization_membership(organization)
    terms = list(members.organization_terms(organization))
    form = PeriodForm(request.GET or None, terms=terms)
    if form.is_valid() and (form.cleaned_data["start"] or form.cleaned_data["end"]):
        return form, period_of_dates(form.cleaned_data["start"], form.cleaned_data["end"]), membership
    chosen = form.cleaned_data.get("term") if form.is_valid() else None
    if chosen is None and request.GET.get("term", None) == "":
        return form, Period(), membership  # "All time" chosen
    term = next((term for term in terms if term.pk == chosen), None) or membership.term
    if term is None:
        return form, Period(), membership
    form.initial["term"] = term.pk
    return form, Period(start=term.starts_at, end=term.ends_at), membership


@login_required
def organization_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """What the organization's people did: projects and roles, events, catalog, benchmarks, committees; for its
    admins and staff also the health of its notifications and webhooks. Printable (portal.css) and exportable."""
    organization = _dashboard_organization(request, slug)
    form, period, membership = _period(request, organization)
    manages = members.may_manage_organization(request.user, organization)
    figures = organization_contributions(organization, period, with_health=manages)
    if request.GET.get("export") == "csv":
        return _contributions_csv(organization, figures)
    project_chart = bar_chart(
        "People taking part, by project",
        [project["title"] for project in figures.projects],
        [Series("People", [project["people"] for project in figures.projects])],
    )
    attendance_chart = bar_chart(
        "Event registrations and attendance, by month",
        [month for month, _, _ in figures.attendance_by_month],
        [
            Series("Registered", [registered for _, registered, _ in figures.attendance_by_month]),
            Series("Attended", [attended for _, _, attended in figures.attendance_by_month]),
        ],
    )
    return render(
        request,
        "portal/organization_dashboard.html",
        {
            "organization": organization,
            "membership": membership,
            "form": form,
            "period": period,
            "figures": figures,
            "manages": manages,
            "project_chart": project_chart,
            "attendance_chart": attendance_chart,
            "export_query": _export_query(request),
        },
    )


def _export_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["export"] = "csv"
    return query.urlencode()


def _csv_response(filename: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def _contributions_csv(organization: Organization, figures: Any) -> HttpResponse:
    response, writer = _csv_response(f"{organization.slug}-contributions.csv")
    writer.writerow(["figure", "value"])
    for name, value in figures.as_api().items():
        if name != "projects":
            writer.writerow([name, value])
    writer.writerow([])
    writer.writerow(["project", "roles", "people"])
    for project in figures.projects:
        writer.writerow([project["slug"], " ".join(project["roles"]), project["people"]])
    writer.writerow([])
    writer.writerow(["month", "registered", "attended"])
    for row in figures.attendance_by_month:
        writer.writerow(row)
    return response


STAFF_TABLES = {
    "members_by_tier": ("Members by tier", ["tier", "members"]),
    "members_by_kind": ("Members by kind", ["kind", "members"]),
    "members_by_country": ("Members by country", ["country", "members"]),
    "member_growth": ("Members over time (end of each month)", ["month", "members"]),
    "applications_by_state": ("Applications by state", ["state", "applications"]),
    "projects_by_state": ("Projects by lifecycle state", ["state", "projects"]),
    "attendance_by_month": ("Event registrations and check-ins, by month", ["month", "registered", "checked in"]),
}


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """The alliance's figures for staff, each chart with its table and a CSV (``?table=<name>``)."""
    stats = alliance_stats()
    table = request.GET.get("table", "")
    if table:
        if table not in STAFF_TABLES:
            raise Http404("No such table.")
        response, writer = _csv_response(f"{table}.csv")
        writer.writerow(STAFF_TABLES[table][1])
        for row in getattr(stats, table):
            writer.writerow(row)
        return response
    charts = []
    for name, (title, headers) in STAFF_TABLES.items():
        rows = getattr(stats, name)
        if name == "attendance_by_month":
            series = [Series("Registered", [r[1] for r in rows]), Series("Checked in", [r[2] for r in rows])]
        else:
            series = [Series(headers[1].capitalize(), [r[1] for r in rows])]
        charts.append(
            {
                "name": name,
                "title": title,
                "headers": headers,
                "rows": rows,
                "svg": bar_chart(title, [str(r[0]) for r in rows], series),
            }
        )
    return render(request, "portal/staff_dashboard.html", {"stats": stats, "charts": charts})
