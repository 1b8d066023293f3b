"""Citizen pages under /<city>/participate/."""

from django.urls import path

from citypocket.participation import views

urlpatterns = [
    path("participate/", views.page, name="page"),
    path("participate/residency/", views.verify, name="verify"),
    path("participate/processes/<slug:slug>/", views.process_detail, name="process"),
    path("participate/budgets/<int:budget_id>/", views.budget_vote, name="budget"),
    path("participate/budgets/<int:budget_id>/results/", views.budget_results, name="budget_results"),
    path("participate/proposals/", views.proposal_list, name="proposals"),
    path("participate/proposals/new/", views.proposal_new, name="proposal_new"),
    path("participate/proposals/<uuid:proposal_id>/", views.proposal_detail, name="proposal"),
    path("participate/proposals/<uuid:proposal_id>/support/", views.proposal_support, name="proposal_support"),
    path("participate/proposals/<uuid:proposal_id>/comments/", views.proposal_comment, name="proposal_comment"),
    path("participate/comments/<uuid:comment_id>/flag/", views.comment_flag, name="comment_flag"),
    path("participate/surveys/<int:survey_id>/", views.survey_page, name="survey"),
    path("participate/meetings/<int:meeting_id>/", views.meeting_page, name="meeting"),
    path("participate/meetings/<int:meeting_id>/documents/<int:document_id>/", views.meeting_document,
         name="meeting_document"),
    path("participate/results/<int:result_id>/", views.result_page, name="result"),
    path("participate/notifications/", views.notifications_page, name="notifications"),
]
