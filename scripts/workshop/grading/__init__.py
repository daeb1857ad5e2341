"""The grader's core: how a lesson's work is compared with what it should be.

snippet_lines  a snippet's lines parsed: names, labels, values, types
snippet_hints  the hint that names the likely cause of each difference
snippets       one snippet of /metrics against the lesson's expected/ file
app_grader     a lesson's app (01-06) run once and graded snippet by snippet
"""
