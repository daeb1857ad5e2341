"""The learner's loop, `python3 scripts/dev.py learn|hint|reset`, split by job as
rustlings splits its own:

    commands        learn and hint: choose the lesson, set up, run the loop
    loop            the loop itself: grade, watch, answer the keys, go on
    keys            the lines typed on stdin, read by a thread
    file_watch      has the exercise changed? (a stat, then a hash)
    exercise_check  grade the exercise with scripts/check.py; read its verdicts
    hints           the hints of hints.md, one at a time for the first failing TODO
    progress        .workshop/progress.json: done, hints shown, where you left off
    lesson_done     what the loop says when a lesson passes
    reset           put an exercise back as it came

Standard library only, every module: dev.py imports them before .venv exists.
"""
