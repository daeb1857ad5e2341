"""The machinery behind the commands in scripts/, one room per job:

    lessons         the lesson folders, in order, and the files the tools look for
    venv_install    the .venv: created once, installed into when requirements change
    ports           free ports, handed out in turn across processes
    processes       process groups: start, stop with every child, wait until serving
    interrupts      Ctrl-C and kill: every process started stops at once
    app_output      what an app printed, fit to show: its traceback's last frame
    metrics_page    an app's /metrics: scrape, grep, samples
    lesson_run      one run of a lesson: its app, the GitHub stand-in, traffic, scrapes
    readme_commands a lesson README's command blocks and the outputs shown under them
    readme_walk     a lesson README run command by command, as a learner would
    prometheus_setup  what scripts/prometheus.py starts: commands, configs wired to its ports
    supervision     its servers in one process group, and the watchdog that stops them
    left_running    who holds a port it needs: a server of another run, or one left behind
    alert_stack     Prometheus, Alertmanager and the alert receiver running together
    alert_walk      prometheus/README.md's "Watch the alert reach you", walked in them
    grading/        the grader's core: comparing snippets, grading a lesson
    learn/          the learner's loop behind `dev.py learn|hint|reset`

lessons, venv_install and learn/ use the standard library only: scripts/dev.py
imports them before anything is installed (tests/test_layout.py checks it); so do
prometheus_setup, supervision and left_running, for scripts/prometheus.py.
Importing this package imports nothing else.
"""
