"""Pages of the benchmark registry: benchmarks, rounds, the submission form and page, the objection queue and
the leaderboard with its chart.

Pages read through selectors and write only through ``projects.benchmarks.services``. Who may act is asked of
the selectors' predicates before any form is read (permission before input); a refusal the page cannot show on
its form reaches ``DomainErrorMiddleware`` (``NotPermitted``: 403) or becomes a message. A round, submission or
objection the person may not see answers 404. Every form posts and redirects, so the pages work without
JavaScript.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotPermitted
from alliance.pages import form_error, refusal_of

from . import selectors, services
from .forms import (
    DecisionForm,
    LeaderboardFilterForm,
    ObjectionForm,
    ReasonForm,
    ReviewForm,
    RoundForm,
    SubmissionForm,
)
from .models import Benchmark, Division, Objection, Round, Submission

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 480, 220, 28


def _benchmark(request: HttpRequest, slug: str) -> Benchmark:
    benchmark = selectors.benchmark_detail(person=request.user, slug=slug)
    if benchmark is None:
        raise Http404("No benchmark here.")
    return benchmark


def _round(request: HttpRequest, pk: int) -> Round:
    round = selectors.round_detail(person=request.user, pk=pk)
    if round is None:
        raise Http404("No round here.")
    return round


def _submission(request: HttpRequest, pk: int) -> Submission:
    submission = selectors.submission_detail(person=request.user, pk=pk)
    if submission is None:
        raise Http404("No submission here.")
    return submission


def _done(request: HttpRequest, target: Any, error: str, notice: str, anchor: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(target.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _form_problems(form: Any) -> str:
    return "; ".join(str(message) for errors in form.errors.values() for message in errors)


# --- drawing: intervals and the chart ---------------------------------------------------------------------------


def _interval_bars(board: selectors.Leaderboard | None) -> list[dict[str, Any]]:
    """Per row, where its value and interval sit on a 0..100 scale between the board's smallest and largest number.

    The template draws them as SVG shapes (attributes, not inline styles, which the Content Security Policy
    refuses).
    """
    if board is None:
        return []
    low, high = board.bounds
    span = (high - low) or 1.0

    def at(value: float | None) -> float | None:
        return None if value is None else round(4 + 92 * (value - low) / span, 2)

    bars = []
    for row in board.rows:
        start, end = at(row.ci_low), at(row.ci_high)
        bars.append(
            {
                "row": row,
                "value": at(row.value),
                "marker": round((at(row.value) or 0) - 0.8, 2),
                "low": start,
                "width": None if start is None or end is None else round(max(end - start, 0.5), 2),
            }
        )
    return bars


def _chart(history: list[selectors.ChartRound]) -> dict[str, Any] | None:
    """An SVG strip chart: one column per published round, a dot per result, the best ones joined by a line."""
    numbers = [value for entry in history for value in entry.values]
    if not numbers:
        return None
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    left, right = CHART_PAD + 24, CHART_WIDTH - CHART_PAD
    step = (right - left) / max(len(history) - 1, 1)

    def y(value: float) -> float:
        return round(CHART_HEIGHT - CHART_PAD - (CHART_HEIGHT - 2 * CHART_PAD) * (value - low) / span, 1)

    columns = []
    for index, entry in enumerate(history):
        x = round(left + step * index if len(history) > 1 else (left + right) / 2, 1)
        columns.append(
            {
                "x": x,
                "label": entry.round.version,
                "dots": [y(value) for value in entry.values],
                "best": entry.best,
                "best_y": None if entry.best is None else y(entry.best),
            }
        )
    line = " ".join(f"{c['x']},{c['best_y']}" for c in columns if c["best_y"] is not None)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "columns": columns,
        "line": line,
        "low": low,
        "high": high,
        "low_y": y(low),
        "high_y": y(high),
        "left": left,
        "axis_y": CHART_HEIGHT - CHART_PAD,
        "right": right,
        "label_y": CHART_HEIGHT - 10,
    }


# --- benchmarks ---------------------------------------------------------------------------------------------------


def benchmark_list(request: HttpRequest) -> HttpResponse:
    benchmarks = list(selectors.benchmark_list(person=request.user))
    return render(request, "benchmarks/benchmark_list.html", {"benchmarks": benchmarks})


def benchmark_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Rules, metrics, rounds, the latest leaderboard with its intervals, and the primary metric per round."""
    benchmark = _benchmark(request, slug)
    latest = selectors.latest_published_round(benchmark)
    board = selectors.leaderboard(round=latest) if latest else None
    if board is not None and not board.rows:
        board = selectors.leaderboard(round=latest, division=Division.OPEN)
    now = timezone.now()
    rounds = [(round, round.state_at(now)) for round in benchmark.rounds.all()]
    return render(
        request,
        "benchmarks/benchmark_detail.html",
        {
            "benchmark": benchmark,
            "metrics": list(benchmark.metrics.all()),
            "rounds": rounds,
            "board": board,
            "bars": _interval_bars(board),
            "chart": _chart(selectors.primary_metric_history(benchmark)),
            "metric": next((metric for metric in benchmark.metrics.all() if metric.primary), None),
            "can_manage": selectors.may_manage_benchmark(request.user, benchmark),
        },
    )


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A published round's leaderboard by division and availability, with the round's release downloads."""
    benchmark = _benchmark(request, slug)
    published = benchmark.rounds.filter(published_at__isnull=False).order_by("-published_at", "-pk")
    form = LeaderboardFilterForm(request.GET or None, rounds=published)
    filters = form.filters()
    round = filters["round"] or published.first()
    board = (
        selectors.leaderboard(round=round, division=filters["division"], availability=filters["availability"])
        if round
        else None
    )
    return render(
        request,
        "benchmarks/leaderboard.html",
        {
            "benchmark": benchmark,
            "form": form,
            "round": round,
            "board": board,
            "bars": _interval_bars(board),
            "releases": list(selectors.round_releases(round)) if round else [],
            "chart": _chart(selectors.primary_metric_history(benchmark, division=filters["division"])),
            "metric": next((metric for metric in benchmark.metrics.all() if metric.primary), None),
        },
    )


# --- rounds -------------------------------------------------------------------------------------------------------


@login_required
def round_create(request: HttpRequest, slug: str) -> HttpResponse:
    benchmark = _benchmark(request, slug)
    if not selectors.may_manage_benchmark(request.user, benchmark):
        raise NotPermitted(f"Only staff and the leads of {benchmark.project} can open rounds.")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_open(actor=request.user, benchmark=benchmark, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"Round {round.version} is open for submissions.")
            return redirect(round)
    return render(
        request,
        "benchmarks/round_form.html",
        {"benchmark": benchmark, "form": form},
        status=400 if form.errors else 200,
    )


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Dates as a timeline, the state, my organization's submissions and review assignments, what I may see."""
    round = _round(request, pk)
    user = request.user
    now = timezone.now()
    state = round.state_at(now)
    manages = selectors.may_manage_benchmark(user, round.benchmark)
    own = list(selectors.own_round_submissions(user, round))
    own_ids = {submission.pk for submission in own}
    visible = [s for s in selectors.round_submissions(person=user, round=round) if s.pk not in own_ids]
    objection_open = manages and state == Round.State.REVIEW and selectors.open_objection_exists(round)
    timeline = [
        ("Opened", round.created_at, True),
        ("Submission deadline", round.submission_deadline, now >= round.submission_deadline),
        ("Review deadline", round.review_deadline, now >= round.review_deadline),
        ("Publication", round.published_at or round.publish_at, round.published_at is not None),
    ]
    return render(
        request,
        "benchmarks/round_detail.html",
        {
            "round": round,
            "benchmark": round.benchmark,
            "state": state,
            "timeline": timeline,
            "own": own,
            "visible": visible,
            "sees_whole_round": selectors.sees_whole_round(user, round, now=now),
            "assignments": list(selectors.review_assignments_of(user, round)),
            "releases": list(selectors.round_releases(round)),
            "can_submit": state == Round.State.OPEN and selectors.may_submit_results(user),
            "manages": manages,
            "objection_open": objection_open,
            "can_publish": manages
            and state == Round.State.REVIEW
            and now >= round.review_deadline
            and not objection_open,
            "can_cancel": manages and state in (Round.State.OPEN, Round.State.REVIEW),
            "cancel_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    if not selectors.may_publish_round(request.user, round):
        raise NotPermitted(f"Only staff and the leads of {round.benchmark.project} can publish its rounds.")
    error = refusal_of(services.round_publish, actor=request.user, round=round)
    return _done(request, round, error, f"Round {round.version} is published; release 1 is frozen.")


@login_required
@require_POST
def round_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    if not selectors.may_manage_benchmark(request.user, round.benchmark):
        raise NotPermitted(f"Only staff and the leads of {round.benchmark.project} can cancel its rounds.")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    error = refusal_of(services.round_cancel, actor=request.user, round=round, reason=reason)
    return _done(request, round, error, f"Round {round.version} was cancelled; its submitters were told.")


# --- submissions --------------------------------------------------------------------------------------------------


@login_required
def submission_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission form: the benchmark's metrics as fields, for one of the person's organizations."""
    round = _round(request, pk)
    if not selectors.may_submit_results(request.user):
        raise NotPermitted("Only people of an active member organization can submit results.")
    if round.state_at(timezone.now()) != Round.State.OPEN:
        messages.error(request, f"Round {round.version} no longer takes submissions.")
        return redirect(round)
    form = SubmissionForm(
        request.POST or None,
        metrics=list(round.benchmark.metrics.all()),
        organizations=selectors.person_organizations(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_create(actor=request.user, round=round, **form.service_arguments())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, "Your submission was received. Your organization can change it until the deadline."
            )
            return redirect(submission)
    return render(
        request,
        "benchmarks/submission_form.html",
        {"round": round, "benchmark": round.benchmark, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Its organization changes a submission before the deadline, or makes the fix an objection asked for."""
    submission = _submission(request, pk)
    if not selectors.may_change_submission(request.user, submission):
        raise NotPermitted("Only the submitting organization can change its submission.")
    refusal = selectors.submission_change_refusal(submission)
    if refusal:
        messages.error(request, refusal)
        return redirect(submission)
    form = SubmissionForm(
        request.POST or None,
        metrics=list(submission.round.benchmark.metrics.all()),
        editing=True,
        initial=SubmissionForm.initial_for(submission),
    )
    if request.method == "POST" and form.is_valid():
        fixing = submission.state == Submission.State.FIX_REQUIRED
        try:
            services.submission_update(actor=request.user, submission=submission, **form.service_arguments())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "The fix is made; the submission is back in review." if fixing else "Saved.")
            return redirect(submission)
    return render(
        request,
        "benchmarks/submission_form.html",
        {"round": submission.round, "benchmark": submission.round.benchmark, "form": form, "submission": submission},
        status=400 if form.errors else 200,
    )


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """System, results (with their intervals), artifacts, reviews and objections, and what the person may do."""
    submission = _submission(request, pk)
    user = request.user
    now = timezone.now()
    round = submission.round
    state = round.state_at(now)
    changes = selectors.may_change_submission(user, submission)
    in_review = state == Round.State.REVIEW
    objecting = selectors.objecting_organizations(user, submission, now=now)
    may_decide = selectors.may_decide_objections(user, round.benchmark)
    objections = [
        (
            objection,
            may_decide
            and objection.state == Objection.State.OPEN
            and not selectors.objection_conflict(user, objection),
        )
        for objection in submission.objections.all()
    ]
    return render(
        request,
        "benchmarks/submission_detail.html",
        {
            "submission": submission,
            "round": round,
            "benchmark": round.benchmark,
            "state": state,
            "results": list(submission.results.all()),
            "assignments": list(submission.assignments.all()),
            "objections": objections,
            "can_edit": changes and not selectors.submission_change_refusal(submission, now=now),
            "can_withdraw": changes
            and state in (Round.State.OPEN, Round.State.REVIEW)
            and submission.state in Submission.IN_REVIEW_STATES,
            "can_mark_available": changes
            and submission.is_public
            and submission.availability == Submission.Availability.PREVIEW
            and submission.preview_lapsed_at is None,
            "can_review": in_review and now < round.review_deadline and selectors.may_review(user, submission),
            "review_form": ReviewForm(),
            "can_object": bool(objecting) and (not in_review or now < round.review_deadline),
            "objection_form": ObjectionForm(organizations=objecting),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def submission_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not selectors.may_change_submission(request.user, submission):
        raise NotPermitted("Only the submitting organization can withdraw its submission.")
    error = refusal_of(services.submission_withdraw, actor=request.user, submission=submission)
    return _done(request, submission, error, "The submission was withdrawn; it will not be published.")


@login_required
@require_POST
def submission_available(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not selectors.may_change_submission(request.user, submission):
        raise NotPermitted("Only the submitting organization can say its system is available.")
    error = refusal_of(services.submission_mark_available, actor=request.user, submission=submission)
    return _done(request, submission, error, "The system is marked available.")


@login_required
@require_POST
def review_post(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not selectors.may_review(request.user, submission):
        raise NotPermitted("Only an organization assigned to review this submission can review it.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _done(request, submission, _form_problems(form), "", "reviews")
    error = refusal_of(services.review_submit, actor=request.user, submission=submission, **form.cleaned_data)
    return _done(request, submission, error, "Your organization's review is recorded.", "reviews")


@login_required
@require_POST
def objection_post(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    refusal = selectors.objection_refusal(request.user, submission)
    if refusal:
        raise NotPermitted(refusal)
    form = ObjectionForm(request.POST, organizations=selectors.objecting_organizations(request.user, submission))
    if not form.is_valid():
        return _done(request, submission, _form_problems(form), "", "objections")
    error = refusal_of(services.objection_raise, actor=request.user, submission=submission, **form.cleaned_data)
    return _done(
        request, submission, error, "Your objection is recorded; staff or the leads will decide it.", "objections"
    )


@login_required
@require_POST
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Uphold (with an outcome) or dismiss an objection, from the submission page or the queue."""
    visible = selectors.submissions_visible_to(request.user)
    objection = get_object_or_404(
        Objection.objects.select_related("submission__round__benchmark__project", "submission__organization"),
        pk=pk,
        submission__in=visible,
    )
    services.require_objection_decider(request.user, objection)
    form = DecisionForm(request.POST)
    back = redirect("benchmarks:objection_queue") if request.POST.get("from") == "queue" else None
    if not form.is_valid():
        messages.error(request, _form_problems(form))
        return back or redirect(objection)
    data = form.cleaned_data
    if data["decision"] == DecisionForm.UPHOLD:
        error = refusal_of(
            services.objection_uphold,
            actor=request.user,
            objection=objection,
            outcome=data["outcome"],
            reason=data["reason"],
        )
    else:
        error = refusal_of(services.objection_dismiss, actor=request.user, objection=objection, reason=data["reason"])
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"The objection was {'upheld' if data['decision'] == DecisionForm.UPHOLD else 'dismissed'}."
        )
    return back or redirect(objection)


@login_required
def objection_queue(request: HttpRequest) -> HttpResponse:
    """Open objections waiting for staff or the benchmark's leads, without those they have a conflict in."""
    if not selectors.may_define_any_benchmark(request.user):
        raise NotPermitted("Only staff and the leads of a benchmark decide objections.")
    return render(
        request,
        "benchmarks/objection_queue.html",
        {"objections": list(selectors.objection_queue(request.user)), "decision_form": DecisionForm()},
    )
