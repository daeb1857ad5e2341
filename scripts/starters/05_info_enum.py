"""Lesson 05 exercise: export this app's version, its state and its build.

The route is all here; the metrics are not. Write each TODO, then check:

    python scripts/check.py 05 --file 05_info_enum/exercise.py

Run:      python 05_info_enum/exercise.py
Traffic:  python 05_info_enum/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

from flask import Flask, jsonify
from prometheus_client import make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

__version__ = "1.2.0"
__author__ = "The workshop team"
STATES = ["loading", "missing", "running", "stopped"]

# TODO 1: create an Info named "application" (help text "Version and author of this app."),
#         which the client exports as application_info, and give it two labels:
#         version=__version__ and author=__author__.
# TODO 2: create an Enum "application_state" (help text "The state the app is in.") whose
#         states are STATES, in that order.
# TODO 3: create a gauge "workshop_build_info" (help text "Build of this app; always 1.")
#         with two labels, "service" and "version", and multiprocess_mode="max"; set its
#         one series, service="workshop" and version=__version__, to 1.
# (Import what you use from prometheus_client.)

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.post("/state/<name>")  # POST: a GET (a prefetch, a link preview) must change nothing
def set_state(name):
    if name not in STATES:
        return jsonify(error=f"unknown state {name!r}: use one of {', '.join(STATES)}"), 400
    # TODO 2: put the enum in the state `name`.
    return jsonify(state=name)


# TODO 2: start-up is over (everything above has run): put the enum in the state "running".


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
