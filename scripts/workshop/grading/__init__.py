"""The grader's core: how a lesson's work is compared with what it should be.

    snippet_lines  a snippet's lines parsed: names, labels, values, types
    snippet_hints  the hint that names the likely cause of each difference
    snippets       one snippet of /metrics against the lesson's expected/ file
    phases         a lesson's app run in phases: at start, row by row, after, held
    behaviour      the learner's app against the lesson's app.py, row by row
    reference_cache  the lesson's app.py's run, kept between grades
    code_checks    what the code shows that /metrics cannot (read with ast)
    lesson_checks  what each lesson adds: its phases, properties, code checks
    hygiene_checks what every lesson's code keeps: no label from the request, ...
    value_checks   what every lesson's code gives its metrics: dec() in a finally, ...
    multiprocess_checks  lesson 06's mistakes its traffic cannot show
    lesson_phases  requests held in flight, a worker killed, MULTIPROC=off
    differences    every difference found, put under the snippet of its metric
    verdicts       the lines printed: PASS/FAIL, differences, hints, summary
    app_grader     a lesson's app (01-06) graded: the phases, then the differences
    rules_grader   the prometheus lesson's rules, evaluated with promtool (rules_*: its
                   scenarios, promtool runs, known mistakes, comparisons and hints)
    tests_grader   a test file (lesson 07) graded by the mutants of the app it catches:
                   tests_mutants (the bugs, planted), tests_runner (a process per
                   run, tests_one_run in each), tests_verdicts (the lines printed)
    pod_discovery  Kubernetes pod discovery without a cluster, through file_sd
    scrape_checks  lesson 08's small cluster, and the four checks of its targets
    scrape_grader  a Prometheus scrape config (08) run by a real Prometheus, checked

scripts/check.py grades a lesson with grading/<kind>_grader.py, <kind> being
Lesson.kind: each such module has grade(lesson, file, timeout), which returns
(the lines to print, whether everything passes). The lines are the contract the
learn loop reads (learn/exercise_check.py):

    NN_topic: grading FILE
      PASS  NAME (...)                 one line per item graded: a snippet, an
      FAIL  NAME (...)                 answer, a mutant; FAIL lines may be
            ...                        followed by lines indented further
    NN_topic: K/N ITEMS pass (T s)     last, even when nothing could be graded:
                                       ITEMS is "snippets", "answers", ...
                                       ("mutants caught" for a test file)

NAME is what hints.md lists after "## TODO k:", so the loop knows which TODO
still fails. A FAIL about no item (the app did not start, answered otherwise)
has words or a colon after its first word, never " (": the loop reads no NAME
in it.
"""
