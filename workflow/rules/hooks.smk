# What every rule set shares (included by workflow/rules/common.smk and
# workflow/rules/populations/common.smk): a short failure message, and the job
# server (relaudit.jobserver) started before the first job and stopped after
# the last. Script jobs run in forks of one process that has imported pandas,
# matplotlib and the rest once, instead of paying those imports in each job.
import sys
import threading

import relaudit.jobserver


def _fail(exc):
    # A short message naming the file and the fix, never a bare traceback.
    sys.stderr.write(f"relaudit: {exc}\n")
    sys.exit(1)


JOB_SERVERS = []


onstart:
    if config.get("job_server", True):
        JOB_SERVERS.append(relaudit.jobserver.start())


def end_scheduler_timers():
    """Cancel the timers Snakemake's job rate limiter leaves behind.

    Each scheduling round that starts jobs arms a timer that wakes the
    scheduler again after the limiter's timespan (10 s in
    profiles/default/profile.yaml, 1 s by default). Python waits for the last
    one before it exits, so a build would end that long after its last job.
    Once the hooks below run, every job has ended and there is nothing left
    to wake.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


onsuccess:
    for server in JOB_SERVERS:
        server.stop()
    end_scheduler_timers()


onerror:
    for server in JOB_SERVERS:
        server.stop()
    end_scheduler_timers()
