"""What every browser test shares: a `kaohe serve --demo` on its own port, temporary SQLite
database and day (KAOHE_TODAY), a headless Chromium (Debian's, never a download), and the helpers
the tests read a page with — expect (counts the checks; on failure a screenshot, the page and the
server's log), wait_for, shot (desktop and phone, returns the phone page's width), login, text,
click. Each test is `run = harness.Run(…)`, its steps, then `run.close()` in a `finally`.
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

PASSWORD = "demo1234"


class Run:
    def __init__(self, name, binary, out, port, today="2026-11-28", env=None, width=1280, failure="failure", before=None, demo=True):
        """Starts the demo server and the browser. `before(tmp)` runs first (local sinks, say) and
        may return more environment for the server. `demo=False`: an empty company (`kaohe serve`
        on a fresh database) whose administrator's one-time password `first_password()` reads
        from the server's log."""
        self.name, self.out, self.width, self.failure = name, pathlib.Path(out), width, failure
        self.demo = demo
        self.out.mkdir(parents=True, exist_ok=True)
        self.base = f"http://127.0.0.1:{port}"
        self.checks = 0
        self.driver = None
        self.tmp = tempfile.mkdtemp(prefix=f"kaohe-{name.lower()}-")
        self.log = f"{self.tmp}/serve.log"
        extra = dict(env or {})
        if before:
            extra.update(before(self.tmp) or {})
        self.binary = binary
        self.server_env = dict(os.environ, KAOHE_DB=f"{self.tmp}/kaohe.sqlite", KAOHE_PORT=str(port), KAOHE_TODAY=today, **extra)
        self.server_env.pop("DATABASE_URL", None)
        self.start_server()
        opts = Options()
        for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},900", "--lang=zh-CN"]:
            opts.add_argument(a)
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]:
            if os.path.exists(path):
                opts.binary_location = path
                break
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)

    def start_server(self):
        self.server = subprocess.Popen([self.binary, "serve"] + (["--demo"] if self.demo else []), env=self.server_env, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)
                return
            except Exception:
                time.sleep(0.5)
        self.fail("the server did not start: " + open(self.log).read()[-2000:])

    def first_password(self):
        """The administrator's one-time password, printed once in the log on an empty database's
        first start (`kaohe serve` without --demo)."""
        import re
        found = None
        for _ in range(40):
            found = re.search(r"one-time password: (\S+)", open(self.log).read())
            if found:
                break
            time.sleep(0.25)
        self.expect(found, "the server printed no one-time password for admin: " + open(self.log).read()[-1000:])
        return found.group(1)

    def restart(self, today):
        """The same server and database on another day (KAOHE_TODAY): a deadline passes. The
        sessions are in the database, so whoever was signed in stays signed in."""
        self.stop_server()
        self.server_env["KAOHE_TODAY"] = today
        self.start_server()

    def stop_server(self):
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()

    def fail(self, msg):
        print(f"{self.name} FAILED:", msg)
        self.close()
        sys.exit(1)

    def expect(self, cond, msg):
        if not cond:
            try:
                self.shot(self.failure)
                page = self.driver.page_source[:3000]
            except Exception:
                page = ""
            self.fail(msg + "\n" + page + "\n--- server log ---\n" + open(self.log).read()[-2000:])
        self.checks += 1

    @staticmethod
    def wait_for(cond, timeout=15):
        """Polls until cond() is true: a click returns before the next page has loaded."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                if cond():
                    return True
            except Exception:
                pass
            time.sleep(0.1)
        return False

    def shot(self, name):
        """Screenshots at desktop and phone width; returns the phone page's width (no sideways
        scrolling on a phone: tables may scroll inside, the page may not)."""
        d = self.driver
        d.set_window_size(self.width, 900)
        d.save_screenshot(str(self.out / f"{name}-desktop.png"))
        d.set_window_size(390, 844)
        d.save_screenshot(str(self.out / f"{name}-phone.png"))
        width = d.execute_script("return document.documentElement.scrollWidth")
        d.set_window_size(self.width, 900)
        return width

    def login(self, user, password=PASSWORD):
        d = self.driver
        d.delete_all_cookies()
        d.get(f"{self.base}/login")
        d.find_element(By.NAME, "username").send_keys(user)
        d.find_element(By.NAME, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        self.expect(self.wait_for(lambda: "/login" not in d.current_url and d.find_elements(By.CSS_SELECTOR, "header form")),
                    f"{user} could not sign in")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def click(self, el):
        """Clicks an element after scrolling it to the middle of the window: below the fold, or
        under a table's sticky header, a click can miss."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", el)
        el.click()

    def open_cycle(self, period="2026-11", scheme="ecommerce-monthly", department="01 ", team="售前一组", preview_shot=None, deadlines=None):
        """HR, signed in, opens a cycle on the cycles page for one team of a department (its
        code's prefix), through the preview (issue 16 §4): what every flow after it starts from.
        The caller checks the message."""
        d = self.driver
        d.get(f"{self.base}/cycles")
        Select(d.find_element(By.NAME, "scheme")).select_by_value(scheme)
        d.find_element(By.NAME, "period").send_keys(period)
        dept = Select(d.find_element(By.NAME, "department"))
        dept.select_by_visible_text(next(o.text for o in dept.options if o.text.startswith(department)))
        teams = Select(d.find_element(By.NAME, "team"))
        teams.select_by_visible_text(next(o.text for o in teams.options if team in o.text))
        d.find_element(By.XPATH, "//button[contains(., '发起并下发考核表')]").click()
        # the preview first: the team with the scheme it gets, its people, the deadlines
        self.expect(self.wait_for(lambda: "发起考核：预览" in self.text() and team in self.text()), "no preview: " + self.text()[:400])
        confirm = d.find_element(By.XPATH, "//button[contains(., '确认发起')]")
        # the deadlines on the preview's own form (dates as its date fields hold them: YYYY-MM-DD)
        form = confirm.find_element(By.XPATH, "./ancestor::form")
        for name, day in (deadlines or {}).items():
            field = form.find_elements(By.NAME, name)
            self.expect(field, f"the preview has no field {name}")
            d.execute_script("arguments[0].value = arguments[1]", field[0], day)
        if preview_shot:
            self.shot(preview_shot)
        self.click(confirm)

    def close(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None
        self.stop_server()
