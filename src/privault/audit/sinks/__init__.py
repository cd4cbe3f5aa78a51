"""Secondary audit sinks: JSON-lines files, syslog (RFC 5424, UDP/TCP), CEF.

The database is the primary sink and the only one that must succeed (it is
written in the caller's transaction). The sinks here receive events only
after that transaction has committed, through :class:`SinkFanout`, which
never raises: a failing sink is logged (by name and error type, never with
event values) and counted.

| sink     | config ``type`` | formats            |
|----------|-----------------|--------------------|
| files    | ``jsonl``       | ``json``, ``cef``  |
| syslog   | ``syslog``      | ``rfc5424``, ``cef`` (CEF inside RFC 5424) |
"""
