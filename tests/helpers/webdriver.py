#!/usr/bin/python3
"""A WebDriver client for the tests: headless Chromium driven through
chromedriver's W3C WebDriver HTTP API, with nothing but the standard
library (Debian's /usr/bin/python3), one command per call, so that a
shell test reads as the steps a person would take.

usage: webdriver.py port                    a free TCP port on 127.0.0.1
       webdriver.py new DRIVER_URL          start a headless Chromium; prints
                                            the session's URL (SESSION below)
       webdriver.py SESSION open URL
       webdriver.py SESSION run JS          prints what the script's body returns
       webdriver.py SESSION wait SECONDS JS until the body returns something
                                            true; prints it (exit 1 on timeout,
                                            with the last value)
       webdriver.py SESSION type CSS TEXT   type into the first element matching
       webdriver.py SESSION click CSS
       webdriver.py SESSION screenshot FILE a PNG of the window
       webdriver.py SESSION log             the browser's console
       webdriver.py SESSION quit            close the browser

Values are printed as JSON, except strings, printed bare.
"""
import base64
import json
import socket
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROMIUM = "/usr/bin/chromium"
# Tests run as root: Chromium's sandbox needs a user namespace it cannot
# have then. --no-proxy-server: the page talks to 127.0.0.1 only.
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-proxy-server", "--no-first-run", "--disable-extensions", "--window-size=1280,1600",
        "--lang=vi-VN"]

# The tests' own addresses: never through a proxy the environment names.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Failure(Exception):
    pass


def call(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        try:
            value = json.load(error).get("value", {})
            words = "%s: %s" % (value.get("error"), value.get("message", "").splitlines()[0])
        except (ValueError, AttributeError, IndexError):
            words = str(error)
        raise Failure("%s %s: %s" % (method, url, words)) from None
    except (urllib.error.URLError, OSError) as error:
        raise Failure("%s %s: %s" % (method, url, error)) from None
    return answer.get("value")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def new_session(driver):
    deadline = time.monotonic() + 15
    while True:
        try:
            if call("GET", driver + "/status", timeout=2).get("ready"):
                break
        except Failure:
            pass
        if time.monotonic() > deadline:
            raise Failure("chromedriver at %s not ready after 15 s" % driver)
        time.sleep(0.1)
    capabilities = {"browserName": "chrome",
                    "goog:chromeOptions": {"binary": CHROMIUM, "args": ARGS},
                    "goog:loggingPrefs": {"browser": "ALL"}}
    value = call("POST", driver + "/session", {"capabilities": {"alwaysMatch": capabilities}})
    return "%s/session/%s" % (driver, value["sessionId"])


def run(session, script):
    return call("POST", session + "/execute/sync", {"script": script, "args": []})


def wait(session, seconds, script):
    deadline = time.monotonic() + seconds
    value = None
    while True:
        try:
            value = run(session, script)
        except Failure as error:
            value = "(%s)" % error
        else:
            if value:
                return value
        if time.monotonic() > deadline:
            raise Failure("still %s after %s s: %s" % (json.dumps(value, ensure_ascii=False), seconds, script))
        time.sleep(0.1)


def element(session, css):
    found = call("POST", session + "/element", {"using": "css selector", "value": css})
    return "%s/element/%s" % (session, found[ELEMENT])


def screenshot(session, path):
    png = base64.b64decode(call("GET", session + "/screenshot"))
    with open(path, "wb") as file:
        file.write(png)
    return len(png)


def log(session):
    # Not W3C: chromedriver's own endpoint for the console.
    entries = call("POST", session + "/se/log", {"type": "browser"}) or []
    return "\n".join("%s %s" % (entry.get("level"), entry.get("message")) for entry in entries)


def command(argv):
    if argv[:1] == ["port"]:
        return free_port()
    if len(argv) == 2 and argv[0] == "new":
        return new_session(argv[1].rstrip("/"))
    if len(argv) < 2:
        raise Failure(__doc__.split("\n\n")[1])
    session, verb, rest = argv[0].rstrip("/"), argv[1], argv[2:]
    verbs = {
        ("open", 1): lambda: call("POST", session + "/url", {"url": rest[0]}),
        ("run", 1): lambda: run(session, rest[0]),
        ("wait", 2): lambda: wait(session, float(rest[0]), rest[1]),
        ("type", 2): lambda: call("POST", element(session, rest[0]) + "/value", {"text": rest[1]}),
        ("click", 1): lambda: call("POST", element(session, rest[0]) + "/click", {}),
        ("screenshot", 1): lambda: screenshot(session, rest[0]),
        ("log", 0): lambda: log(session),
        ("quit", 0): lambda: call("DELETE", session),
    }
    if (verb, len(rest)) not in verbs:
        raise Failure("unknown command or wrong arguments: %s (see webdriver.py --help)" % " ".join(argv[1:]))
    return verbs[(verb, len(rest))]()


def main():
    if sys.argv[1:2] in (["--help"], ["-h"]):
        print(__doc__)
        return 0
    try:
        value = command(sys.argv[1:])
    except Failure as error:
        print("webdriver: %s" % error, file=sys.stderr)
        return 1
    if value is not None:
        print(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
