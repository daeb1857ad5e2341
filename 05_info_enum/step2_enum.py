"""Lesson 05, step 2: the app's state as an Enum.

Step 1's Info, plus an Enum: one series per state, the current one at 1.

Run:      python 05_info_enum/step2_enum.py
Traffic:  python 05_info_enum/traffic.py
Metrics:  curl -s http://127.0.0.1:5000/metrics
"""

import os
import sys

from flask import Flask, jsonify
from prometheus_client import Enum, Info, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

__version__ = "1.2.0"
__author__ = "The workshop team"
STATES = ["loading", "missing", "running", "stopped"]

# The client appends `_info` to an Info's name: this one is exported as application_info.
APP_INFO = Info("application", "Version and author of this app.")
APP_INFO.info({"version": __version__, "author": __author__})
# One series per state, the current one at 1. It starts in the first state, "loading".
APP_STATE = Enum("application_state", "The state the app is in.", states=STATES)

app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/metrics": make_wsgi_app()})


@app.post("/state/<name>")  # POST: a GET (a prefetch, a link preview) must change nothing
def set_state(name):
    if name not in STATES:  # APP_STATE.state(name) would raise ValueError: a 500
        return jsonify(error=f"unknown state {name!r}: use one of {', '.join(STATES)}"), 400
    APP_STATE.state(name)
    return jsonify(state=name)


APP_STATE.state("running")  # start-up is over: everything above has run


if __name__ == "__main__":
    port = os.environ.get("PORT", "5000")
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a number from 1 to 65535, not {port!r}")
    # 127.0.0.1: only this computer can reach the app. In a container, set HOST=0.0.0.0.
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(port))
