"""What the one search finds in participation (cityinfo.searchindex): published processes and the
visible proposals of published processes. A proposal's author is never indexed."""

from django.urls import reverse
from django.utils.text import Truncator

from citypocket.cityinfo.searchindex import SearchDocument, SearchKind, register
from citypocket.participation.models import Process, Proposal


def _process(process: Process) -> SearchDocument:
    return SearchDocument(
        title_fr=process.title,
        url=reverse("participation:process", kwargs={"city": process.city.slug, "slug": process.slug}),
        summary_fr=Truncator(process.description).chars(200),
        text_fr=process.description,
    )


def _proposal(proposal: Proposal) -> SearchDocument:
    return SearchDocument(
        title_fr=proposal.title,
        url=reverse("participation:proposal", kwargs={"city": proposal.city.slug, "proposal_id": proposal.pk}),
        summary_fr=Truncator(proposal.body).chars(200),
        text_fr=proposal.body,  # the text only: never the author
    )


register(SearchKind(
    slug="processes", label_fr="Participation", label_en="Participation", model=Process, order=40,
    queryset=lambda city: Process.objects.filter(city=city, is_published=True).select_related("city"),
    document=_process,
))
register(SearchKind(
    slug="proposals", label_fr="Propositions", label_en="Proposals", model=Proposal, order=45,
    queryset=lambda city: Proposal.objects.filter(city=city, is_hidden=False, process__is_published=True)
    .select_related("city"),
    document=_proposal,
))
