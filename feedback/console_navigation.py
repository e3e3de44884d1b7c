"""Feedback and CSAT in the moderators' console (``core.console_navigation``): support and
moderators read the CSAT report, the answers and the feedback log, and keep the keyword rules and
the action plans. Links only: the report's own page carries the figures (a live count here would
add a query over every answer to each index page)."""

from core.console_navigation import ConsoleLink, ConsoleSection, register_console_section

register_console_section(
    ConsoleSection(
        key="feedback.csat",
        title="Feedback and CSAT",
        group="Feedback",
        roles=frozenset({"support", "moderator"}),
        order=290,  # after the moderators' own sections: support and moderators see their group first
        links=(
            ConsoleLink("CSAT report", "admin:feedback_report", "feedback.view_surveyresponse"),
            ConsoleLink(
                "Unsatisfied answers",
                "admin:feedback_surveyresponse_changelist",
                "feedback.view_surveyresponse",
                query="satisfied__exact=0",
            ),
            ConsoleLink("Feedback log", "admin:feedback_feedbackentry_changelist", "feedback.view_feedbackentry"),
            ConsoleLink(
                "Feature requests",
                "admin:feedback_feedbackentry_changelist",
                "feedback.view_feedbackentry",
                query="kind__exact=feature_request",
            ),
            ConsoleLink("Action plans", "admin:feedback_actionplan_changelist", "feedback.view_actionplan"),
            ConsoleLink("Keyword rules", "admin:feedback_categoryrule_changelist", "feedback.view_categoryrule"),
            ConsoleLink(
                "Survey invitations", "admin:feedback_surveyinvitation_changelist", "feedback.view_surveyinvitation"
            ),
        ),
    )
)
