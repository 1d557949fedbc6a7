"""A minimal Chrome DevTools protocol client over --remote-debugging-pipe (file descriptors 3 and 4 of the
browser, NUL-terminated JSON messages): enough to open a page, evaluate script, take a screenshot and see
every console message, exception and network request of the page."""
import base64
import fcntl
import json
import os
import queue
import subprocess
import threading
import time


class Browser:
    def __init__(self, chromium, profile_dir, width=1360, height=1800):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def connect_pipes():
            # Copies above 10 first, so that neither lands on 3 or 4 before the other is moved.
            high_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile_dir}", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-default-apps", "--mute-audio", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=connect_pipes)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._next_id = 0
        self._messages = queue.Queue()
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()
        self.width, self.height = width, height
        self.session = None

    def _read(self):
        buffer = b""
        while True:
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                self._messages.put(None)
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self._messages.put(json.loads(message))

    def send(self, method, params=None, session=True, timeout=60):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if reply is None:
                raise RuntimeError(f"chromium exited while waiting for {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def drain(self, seconds):
        """Collects events for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = self._messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return
            if message is not None:
                self.events.append(message)

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ["Page", "Runtime", "Network", "Log"]:
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url):
        self.events.clear()
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression, timeout=60):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.drain(0.05)
        raise TimeoutError(f"never true: {expression}")

    def screenshot(self, path, clip_height=None):
        """PNG, or JPEG (quality 70) when `path` ends in .jpg; the top `clip_height` pixels when given."""
        path = str(path)
        params = {"format": "jpeg", "quality": 70} if path.endswith(".jpg") else {"format": "png"}
        if clip_height:
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": clip_height, "scale": 1}
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def problems(self, page_url):
        """Console errors, uncaught exceptions and every request for anything but the page itself."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                found.append(f"console {params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent" and params.get("request", {}).get("url") != page_url:
                found.append(f"network request: {params['request'].get('url')}")
        return found

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=10)
        except (RuntimeError, queue.Empty):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
