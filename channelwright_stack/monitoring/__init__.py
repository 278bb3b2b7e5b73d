"""Monitoring: the alarms that page the operator, the topic they page through, and one dashboard.

Every alarm goes to one SNS topic per stage (e-mailed when the stage has an alarm e-mail) and
says both when it fires and when it recovers (alarms.py). The dashboard puts the alarms, the
business metrics the code emits and the AWS metrics behind them on one screen, with a note beside
each row saying what to do when it turns red (dashboard.py). docs/operations.md has the longer
runbook.

The topic, the alarms and the dashboard are children of the Monitoring construct itself (the
modules create them in the scope they are given), so their logical ids read MonitoringAlarmTopic…,
MonitoringDeadLetters…, MonitoringDashboard….
"""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from ..ingress import Ingress
from ..settings import StageSettings
from ..task_queue import TaskQueue
from ..worker import Worker
from .alarms import alarm_topic, stage_alarms
from .dashboard import console_url, stage_dashboard


class Monitoring(Construct):
    """Alarms -> one SNS topic per stage, and the stage's dashboard."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ingress: Ingress,
        tasks: TaskQueue,
        worker: Worker,
        stage: StageSettings,
    ) -> None:
        super().__init__(scope, id)
        self.stage = stage
        self.topic = alarm_topic(self, stage)
        self.alarms: dict[str, cw.Alarm] = stage_alarms(
            self, self.topic, ingress=ingress, tasks=tasks, worker=worker, stage=stage)
        self.dashboard = stage_dashboard(
            self, self.alarms, ingress=ingress, tasks=tasks, worker=worker, stage=stage.name)
        self.dashboard_url = console_url(self.dashboard)
