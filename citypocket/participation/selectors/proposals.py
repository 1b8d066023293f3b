"""The proposal list: cursor pages, support counts annotated in the same query (constant queries).

Decidim listed 900 proposals in 7 s because it counted per row; here one query returns a page
with its counts, through an index on (city, created_at, id).
"""

import uuid
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from citypocket.core.pagination import CursorPage, cursor_page, decode_cursor
from citypocket.core.problems import NotFound
from citypocket.participation.models import Comment, ModerationState, Process, Proposal, Support

PAGE_SIZE = 20


def _count(model, **filters):
    rows = (model.objects.filter(proposal=OuterRef("pk"), **filters).order_by()
            .values("proposal").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    visible = {"state__in": [ModerationState.VISIBLE, ModerationState.KEPT]}
    return queryset.annotate(support_count=_count(Support), comment_count=_count(Comment, **visible))


def list_proposals(*, city, process_slug: str | None = None, category_id: int | None = None,
                   cursor: str | None = None, limit: int = PAGE_SIZE) -> CursorPage:
    """Newest first, one page; the next cursor points after the last item (stable under inserts)."""
    processes = Process.objects.filter(city=city, is_published=True)
    if process_slug:
        processes = processes.filter(slug=process_slug)
    # Filtering on process ids (a small IN subquery) rather than a join, and the cursor as
    # "created_at <= c AND NOT (created_at = c AND id >= pk)" rather than an OR, keep the plan an
    # ordered scan of the (city, -created_at, -id) index that stops after one page.
    proposals = (Proposal.objects.filter(city=city, is_hidden=False, process_id__in=processes.values("id"))
                 .select_related("process", "category"))
    if category_id:
        proposals = proposals.filter(category_id=category_id)
    if cursor:
        created, pk = decode_cursor(cursor, datetime, uuid.UUID)
        proposals = proposals.filter(created_at__lte=created).exclude(created_at=created, pk__gte=pk)
    return cursor_page(with_counts(proposals).order_by("-created_at", "-pk"), limit=limit,
                       key=lambda proposal: (proposal.created_at, proposal.pk))


def get_proposal(*, city, proposal_id) -> Proposal:
    proposal = (with_counts(Proposal.objects.filter(city=city, is_hidden=False, process__is_published=True))
                .select_related("process", "category").filter(pk=proposal_id).first())
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def is_eligible(proposal: Proposal) -> bool:
    return proposal.support_count >= proposal.process.support_threshold


def has_supported(*, proposal: Proposal, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Support.objects.filter(
        proposal=proposal, user=user).exists()


def list_comment_tree(*, proposal: Proposal) -> list[dict]:
    """Comments as a tree of {comment, replies}; hidden ones stay as a placeholder (replies kept)."""
    comments = list(Comment.objects.filter(proposal=proposal).order_by("created_at", "pk"))
    nodes = {c.pk: {"comment": c, "replies": []} for c in comments}
    roots = []
    for comment in comments:
        parent = nodes.get(comment.parent_id)
        (parent["replies"] if parent else roots).append(nodes[comment.pk])
    return roots


def get_comment(*, city, comment_id) -> Comment:
    comment = Comment.objects.filter(city=city, pk=comment_id).select_related("proposal__process").first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment
