"""Conversation flows, one per module; `default_flows()` is the set the bot runs."""

from __future__ import annotations

from handlers.dialog import Flow, FlowRegistry
from handlers.flows.activity import ActivityFlow
from handlers.flows.announce import AnnounceFlow
from handlers.flows.channel import ChannelFlow
from handlers.flows.commend import CommendFlow
from handlers.flows.consent import ConsentFlow
from handlers.flows.meeting import MeetingFlow
from handlers.flows.menu import HelpFlow, MenuFlow
from handlers.flows.mydata import MyDataFlow
from handlers.flows.pledges import PledgesFlow
from handlers.flows.preferences import PreferencesFlow
from handlers.flows.progress import ProgressFlow
from handlers.flows.register import RegisterFlow
from handlers.flows.reminder import ReminderFlow
from handlers.flows.report import ReportFlow
from handlers.flows.review import ReviewFlow
from handlers.flows.self_assessment import SelfAssessmentFlow
from handlers.flows.study import StudyFlow
from handlers.flows.summary import SummaryFlow
from handlers.flows.web import WebFlow


def default_flows(web_base_url: str | None = None) -> FlowRegistry:
    """`web_base_url`: WEBHOOK_BASE_URL, where /web's login links point (None: the dashboard is off)."""
    flows: list[Flow] = [
        ConsentFlow(),
        MenuFlow(),
        HelpFlow(),
        RegisterFlow(),
        ProgressFlow(),
        PledgesFlow(),
        SummaryFlow(),
        ChannelFlow(),
        ReportFlow(),
        MyDataFlow(),
        ReviewFlow(),
        SelfAssessmentFlow(),
        StudyFlow(),
        AnnounceFlow(),
        MeetingFlow(),
        PreferencesFlow(),
        ReminderFlow(),
        CommendFlow(),
        ActivityFlow(),
        WebFlow(web_base_url),
    ]
    return {flow.name: flow for flow in flows}
