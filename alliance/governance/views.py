"""Pages of governance: committees, ballots, the vote form, the results, and the person's open ballots.

Views read through ``selectors`` and write only through ``services``. A ballot the viewer may not see is a 404;
a refusal of permission (``NotPermitted``) is let through to ``DomainErrorMiddleware`` (403), and every write asks
its permission before it reads the form. Other refusals go on the form (``form_error``) or become a message.
Every form works without JavaScript.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alliance.errors import DomainError
from alliance.pages import form_error, refusal_of
from projects.selectors import projects_visible_to

from . import selectors, services
from .forms import BallotForm, CancelBallotForm, CommitteeMemberAddForm, VoteForm
from .models import Ballot, Committee


def _committee(slug: str) -> Committee:
    committee = selectors.committee_by_slug(slug)
    if committee is None:
        raise Http404("No committee here.")
    return committee


def _visible_ballot(request: HttpRequest, pk: int) -> Ballot:
    ballot = selectors.ballot_for_viewer(person=request.user, pk=pk)
    if ballot is None:
        raise Http404("No ballot here.")
    return ballot


def _shown_project(request: HttpRequest, committee: Committee) -> Any:
    """The committee's project, if the viewer may see it."""
    if committee.project_id is None:
        return None
    return projects_visible_to(request.user).filter(pk=committee.project_id).first()


# --- committees ------------------------------------------------------------------------------------------------


def committee_list(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/committee_list.html", {"committees": selectors.committee_list()})


def _committee_page(
    request: HttpRequest, committee: Committee, *, member_form: CommitteeMemberAddForm | None = None, status: int = 200
) -> HttpResponse:
    manages = selectors.may_manage_committee(request.user, committee)
    if manages and member_form is None:
        member_form = CommitteeMemberAddForm(organization_seats=committee.has_organization_seats)
    context = {
        "committee": committee,
        "project": _shown_project(request, committee),
        "groups": selectors.committee_members_by_role(committee),
        "ballots": selectors.committee_ballots(person=request.user, committee=committee),
        "manages": manages,
        "member_form": member_form if manages else None,
        "seat": selectors.committee_seat(request.user, committee),
    }
    return render(request, "governance/committee_detail.html", context, status=status)


def committee_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _committee_page(request, _committee(slug))


@login_required
@require_POST
def committee_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    actor = selectors.signed_in_person(request.user)
    committee = _committee(slug)
    services.require_committee_manager(request.user, committee)
    form = CommitteeMemberAddForm(request.POST, organization_seats=committee.has_organization_seats)
    if form.is_valid():
        try:
            member = services.committee_member_add(actor=actor, committee=committee, **form.service_arguments())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{member.person.public_name} now sits on the committee.")
            return redirect(committee)
    return _committee_page(request, committee, member_form=form, status=400)


@login_required
@require_POST
def committee_member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = selectors.signed_in_person(request.user)
    committee = _committee(slug)
    services.require_committee_manager(request.user, committee)
    member = get_object_or_404(committee.members.select_related("person", "committee"), pk=pk)
    try:
        services.committee_member_remove(actor=actor, member=member)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{member.person.public_name} no longer sits on the committee.")
    return redirect(committee)


# --- ballots ----------------------------------------------------------------------------------------------------


@login_required
def ballot_create(request: HttpRequest, slug: str) -> HttpResponse:
    actor = selectors.signed_in_person(request.user)
    committee = _committee(slug)
    services.require_committee_manager(request.user, committee)
    form = BallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.ballot_create(actor=actor, committee=committee, **form.service_arguments())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"“{ballot}” is saved as a draft. Only chairs and staff see it until it opens.")
            return redirect(ballot)
    context = {"form": form, "committee": committee}
    return render(request, "governance/ballot_form.html", context, status=400 if form.errors else 200)


@login_required
def ballot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = selectors.signed_in_person(request.user)
    ballot = _visible_ballot(request, pk)
    services.require_ballot_manager(request.user, ballot)
    form = BallotForm(request.POST or None, initial=BallotForm.initial_for(ballot))
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_update(actor=actor, ballot=ballot, **form.changes_to(ballot))
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "The draft is saved.")
            return redirect(ballot)
    context = {"form": form, "committee": ballot.committee, "ballot": ballot}
    return render(request, "governance/ballot_form.html", context, status=400 if form.errors else 200)


def _ballot_page(
    request: HttpRequest, ballot: Ballot, *, vote_form: VoteForm | None = None, status: int = 200
) -> HttpResponse:
    place = selectors.ballot_place(request.user, ballot)
    standing = selectors.vote_standing_for(place) if ballot.is_open else None
    accepts = place is not None and selectors.ballot_accepts_votes(ballot)
    if accepts and vote_form is None:
        mine = standing is not None and standing.voter_id == request.user.pk
        initial = VoteForm.initial_for(ballot, standing.choice, standing.ranking) if standing and mine else {}
        vote_form = VoteForm(ballot=ballot, initial=initial)
    context = {
        "ballot": ballot,
        "committee": ballot.committee,
        "place": place,
        "standing": standing,
        "vote_form": vote_form if accepts else None,
        "cancel_form": CancelBallotForm(),
        **selectors.ballot_offers(request.user, ballot),
    }
    return render(request, "governance/ballot_detail.html", context, status=status)


def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _ballot_page(request, _visible_ballot(request, pk))


@login_required
@require_POST
def ballot_vote(request: HttpRequest, pk: int) -> HttpResponse:
    actor = selectors.signed_in_person(request.user)
    ballot = _visible_ballot(request, pk)
    services.require_voter(request.user, ballot)
    form = VoteForm(request.POST, ballot=ballot)
    if form.is_valid():
        try:
            services.ballot_vote(actor=actor, ballot=ballot, **form.service_arguments())
        except DomainError as error:
            if error.field in form.fields:
                form_error(form, error)
            else:
                messages.error(request, error.message)
                return redirect(ballot)
        else:
            messages.success(request, "Your vote is in. You may change it until the ballot closes.")
            return redirect(ballot)
    return _ballot_page(request, ballot, vote_form=form, status=400)


def _transition(request: HttpRequest, pk: int, service: Any, done: str, **kwargs: Any) -> HttpResponse:
    """Open or cancel: the service's refusal becomes a message (a refusal of permission, a 403 page)."""
    actor = selectors.signed_in_person(request.user)
    ballot = _visible_ballot(request, pk)
    refusal = refusal_of(service, actor=actor, ballot=ballot, **kwargs)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, done)
    return redirect(ballot)


@login_required
@require_POST
def ballot_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.ballot_open, "The ballot is open; the electorate was told.")


@login_required
@require_POST
def ballot_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = selectors.signed_in_person(request.user)
    ballot = _visible_ballot(request, pk)
    refusal = refusal_of(services.ballot_close, actor=actor, ballot=ballot)
    if refusal:
        messages.error(request, refusal)
        return redirect(ballot)
    messages.success(request, "The ballot is closed and counted.")
    return redirect("governance:ballot_results", pk=ballot.pk)


@login_required
@require_POST
def ballot_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _visible_ballot(request, pk)
    services.require_ballot_manager(request.user, ballot)
    form = CancelBallotForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(request, pk, services.ballot_cancel, "The ballot is cancelled.", reason=reason)


def ballot_results(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _visible_ballot(request, pk)
    result = selectors.ballot_result(ballot)  # before the close: a refusal, the 400 page says why
    bars = [  # each bar is its share of the votes cast
        {"label": label, "count": count, "percent": round(count * 100 / result.turnout) if result.turnout else 0}
        for label, count in result.tally.items()
    ]
    options = result.ranking if ballot.method == Ballot.Method.RANKED else []
    matrix = [
        (
            row,
            [
                {
                    "column": column,
                    "count": None if column == row else result.pairwise[row][column],
                    "wins": column != row and result.pairwise[row][column] > result.pairwise[column][row],
                }
                for column in options
            ],
        )
        for row in options
    ]
    context = {
        "ballot": ballot,
        "committee": ballot.committee,
        "result": result,
        "bars": bars,
        "turnout_percent": round(result.turnout * 100 / result.eligible) if result.eligible else 0,
        "matrix_options": options,
        "matrix": matrix,
        "ties": [tier for tier in result.tiers if len(tier) > 1],
        "votes": selectors.ballot_open_votes(ballot),
    }
    return render(request, "governance/ballot_results.html", context)


@login_required
def my_ballots(request: HttpRequest) -> HttpResponse:
    """The person's open ballots whose vote is not in yet (the same list as on the home page)."""
    return render(request, "governance/my_ballots.html", {"ballots": selectors.ballots_awaiting_vote(request.user)})
