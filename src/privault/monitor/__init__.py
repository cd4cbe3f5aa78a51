"""Monitoring: rules over audit events, baselines, alerts and notifiers.

```
committed audit events ─▶ Observation ─▶ MonitorEngine (rules registry + config)
                                              │ Findings
                                              ▼
                         alerts (dedup, group, states) ─▶ notifiers (email, webhook, syslog)
                                                      └─▶ optional response (lock, revoke)
```

This package is pure logic plus its own tables; it never imports another
domain package: ``privault.app.monitoring`` turns audit events into
:class:`~privault.monitor.model.Observation` values and composes the rest.

| extension point | protocol                          | registry                   |
|-----------------|-----------------------------------|----------------------------|
| rule            | :class:`privault.monitor.rules.base.Rule`   | ``RULES``        |
| notifier        | :class:`privault.monitor.notifiers.Notifier` | ``NOTIFIERS``   |
"""
