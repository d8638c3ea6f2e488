"""Immediate alerts between digests: when a scenario's level rises or a spike fires, notify at once.

``rules`` decides (pure: one scenario's latest trend row and what the last look remembered);
``evaluate`` looks at the stored trend and stores each alert once per database; ``payload`` is the
JSON body and the mail every channel sends; ``channels`` sends it (e-mail through the digest's SMTP
settings, a webhook by HTTP POST); ``deliver`` claims the pending deliveries and retries failures.
"""

from monitor.alerts.deliver import deliver_pending, send_test
from monitor.alerts.evaluate import evaluate_alerts

__all__ = ["deliver_pending", "evaluate_alerts", "send_test"]
