#!/usr/bin/env python3
"""Notices that reach people, in a real browser (issue 17 §7, §9): local receivers on 127.0.0.1 —
the SMTP sink and the HTTP sink of Tests/notify/sinks.py — and `kaohe serve --demo` on its own
port and temporary SQLite file, on 5 December 2026 (the November rating deadline, 30 November,
has passed). HR, in Chromium, sets up the notices on 通知设置 (SMTP to the sink, no STARTTLS; a
企业微信 robot at the HTTP sink), gives lead11 an e-mail address, opens the November cycle for
售前一组 and presses 催办. The SMTP sink must get the reminder addressed to lead11 with the
subject and body a person reads (decoded as a mail reader decodes them), the HTTP sink the
企业微信 text message; the settings page shows them sent and never shows the robot's key; lead11
sees the reminder unread on 我的考核. Screenshots go to the folder given.

usage: notify.py KAOHE_BINARY SCREENSHOT_DIR
"""
import email
import email.policy
import json
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

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "notify"))
import sinks  # noqa: E402

BIN, OUT = sys.argv[1], pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
PORT = 18094
BASE = f"http://127.0.0.1:{PORT}"
KEY = "E2E-WECOM-KEY-1234567890"


def fail(msg):
    print("NOTIFY E2E FAILED:", msg)
    sys.exit(1)


tmp = tempfile.mkdtemp(prefix="kaohe-notify-")
received = os.path.join(tmp, "received")
smtp_port, http_port, stop_sinks = sinks.start(received)
env = dict(os.environ, KAOHE_DB=f"{tmp}/kaohe.sqlite", KAOHE_PORT=str(PORT), KAOHE_TODAY="2026-12-05", KAOHE_NOTIFY_INTERVAL="2")
env.pop("DATABASE_URL", None)
server = subprocess.Popen([BIN, "serve", "--demo"], env=env, stdout=open(f"{tmp}/serve.log", "w"), stderr=subprocess.STDOUT)
driver = None
try:
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=2)
            break
        except Exception:
            time.sleep(0.5)
    else:
        fail("the server did not start: " + open(f"{tmp}/serve.log").read()[-2000:])

    opts = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN"]:
        opts.add_argument(a)
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]:
        if os.path.exists(path):
            opts.binary_location = path
            break
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    checks = 0

    def expect(cond, msg):
        global checks
        if not cond:
            shot("failure")
            fail(msg + "\n" + driver.page_source[:3000] + "\n--- server log ---\n" + open(f"{tmp}/serve.log").read()[-2000:])
        checks += 1

    def wait_for(cond, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            try:
                if cond():
                    return True
            except Exception:
                pass
            time.sleep(0.2)
        return False

    def shot(name):
        driver.set_window_size(1280, 900)
        driver.save_screenshot(str(OUT / f"{name}-desktop.png"))
        driver.set_window_size(390, 844)
        driver.save_screenshot(str(OUT / f"{name}-phone.png"))
        driver.set_window_size(1280, 900)

    def text():
        return driver.find_element(By.TAG_NAME, "body").text

    def login(user):
        driver.delete_all_cookies()
        driver.get(f"{BASE}/login")
        driver.find_element(By.NAME, "username").send_keys(user)
        driver.find_element(By.NAME, "password").send_keys("demo1234")
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        expect(wait_for(lambda: "/login" not in driver.current_url and driver.find_elements(By.CSS_SELECTOR, "header form")), f"{user} could not sign in")

    def form_with(action):
        return driver.find_element(By.XPATH, f"//form[input[@name='action' and @value='{action}']]")

    def fill(form, name, value):
        el = form.find_element(By.NAME, name)
        el.clear()
        el.send_keys(value)

    # HR sets up the notices on 通知设置 (the header's link)
    login("hr")
    driver.find_element(By.LINK_TEXT, "通知设置").click()
    expect(wait_for(lambda: "通道与邮件服务器" in text()), "the settings page did not open")
    f = form_with("settings")
    for box in ["email_enabled", "webhooks_enabled"]:
        el = f.find_element(By.NAME, box)
        if not el.is_selected():
            el.click()
    fill(f, "smtp_host", "127.0.0.1")
    fill(f, "smtp_port", str(smtp_port))
    fill(f, "smtp_from", "kaohe@example.com")
    Select(f.find_element(By.NAME, "smtp_tls")).select_by_value("off")
    Select(f.find_element(By.NAME, "smtp_auth")).select_by_value("none")
    fill(f, "site_url", BASE)
    f.find_element(By.XPATH, ".//button[contains(., '保存设置')]").click()
    expect(wait_for(lambda: "已保存通知设置" in text()), "the SMTP settings were not saved: " + text()[:400])

    f = form_with("webhook-add")
    Select(f.find_element(By.NAME, "kind")).select_by_value("wecom")
    fill(f, "name", "售前一组群")
    fill(f, "url", f"http://127.0.0.1:{http_port}/cgi-bin/webhook/send?key={KEY}")
    f.find_element(By.XPATH, ".//button[contains(., '添加机器人')]").click()
    expect(wait_for(lambda: "已添加群机器人" in text()), "the robot was not added: " + text()[:400])
    expect(KEY not in driver.page_source and "key=••••••7890" in text(), "the robot's key is shown in full or not masked")

    f = form_with("email")
    fill(f, "username", "lead11")
    fill(f, "email", "lead11@example.com")
    f.find_element(By.XPATH, ".//button[contains(., '保存邮箱')]").click()
    expect(wait_for(lambda: "邮箱已保存：lead11" in text()), "lead11's address was not saved: " + text()[:400])
    shot("notify-settings")

    # HR opens the November cycle for 售前一组 and reminds the late (deadline 30 November)
    driver.get(f"{BASE}/cycles")
    Select(driver.find_element(By.NAME, "scheme")).select_by_value("ecommerce-monthly")
    driver.find_element(By.NAME, "period").send_keys("2026-11")
    dept = Select(driver.find_element(By.NAME, "department"))
    dept.select_by_visible_text(next(o.text for o in dept.options if o.text.startswith("01 ")))
    team = Select(driver.find_element(By.NAME, "team"))
    team.select_by_visible_text(next(o.text for o in team.options if "售前一组" in o.text))
    driver.find_element(By.XPATH, "//button[contains(., '发起并下发考核表')]").click()
    expect(wait_for(lambda: "已下发 12 张" in text()), "the cycle was not opened for 售前一组: " + text()[:400])
    driver.find_element(By.XPATH, "//button[normalize-space(.)='催办']").click()
    # lead11 (11 sheets to rate) and manager1 (the lead's own sheet) are late
    expect(wait_for(lambda: "已催办 2 人" in text()), "the reminder was not sent: " + text()[:400])
    shot("notify-reminded")

    # the sinks get it: the e-mail to lead11, the 企业微信 text message
    def mail_to_lead():
        return next((m for m in sinks.records(received, "smtp") if m["to"] == ["lead11@example.com"]), None)

    expect(wait_for(lambda: mail_to_lead() is not None and sinks.records(received, "http"), 30),
           f"the sinks got nothing: smtp {sinks.records(received, 'smtp')} http {sinks.records(received, 'http')}")
    m = mail_to_lead()
    mail = email.message_from_bytes(m["data"].encode("utf-8"), policy=email.policy.default)
    expect(m["from"] == "kaohe@example.com", f"envelope sender {m['from']}")
    expect(str(mail["subject"]) == "催办：2026-11 考核", f"subject {mail['subject']!r}")
    expect(mail["to"] is not None and "lead11@example.com" in str(mail["to"]), f"To: {mail['to']}")
    body = mail.get_content()
    expect("催办：2026-11 考核“上级评分”已于 2026-11-30 到期，尚有 11 张：" in body and "101002" in body, f"body {body!r}")
    expect(f"{BASE}/sheets" in body, f"the mail does not link to the sheets: {body!r}")
    hits = [h for h in sinks.records(received, "http") if h["path"] == f"/cgi-bin/webhook/send?key={KEY}"]
    expect(len(hits) == 1, f"robot requests {sinks.records(received, 'http')}")
    payload = json.loads(hits[0]["body"])
    expect(payload.get("msgtype") == "text" and set(payload) == {"msgtype", "text"}, f"payload {payload}")
    content = payload["text"]["content"]
    expect(content.startswith("催办：2026-11 考核尚有逾期未办") and "（lead11）：2026-11 考核“上级评分”已于 2026-11-30 到期，尚有 11 张" in content,
           f"robot text {content!r}")
    expect("application/json" in (hits[0].get("content_type") or ""), f"content type {hits[0].get('content_type')}")

    # HR sees them sent (manager1 has no address: one e-mail and one robot message)
    driver.get(f"{BASE}/settings/notifications")
    expect(wait_for(lambda: "已发送：2" in driver.find_element(By.ID, "outbox-counts").text), "the settings page does not show 2 sent: " + text()[:600])
    expect("发送失败：0" in driver.find_element(By.ID, "outbox-counts").text, "something failed")
    expect(KEY not in driver.page_source, "the robot's key is on the page")
    shot("notify-sent")

    # lead11 reads the reminder, unread, on 我的考核
    login("lead11")
    driver.get(f"{BASE}/sheets")
    unread = driver.find_element(By.ID, "inbox-unread").text
    expect("催办：2026-11 考核“上级评分”已于 2026-11-30 到期" in unread, f"lead11's unread messages: {unread}")
    shot("notify-inbox-lead")

    print(f"NOTIFY E2E passed: {checks} checks; the SMTP sink got the reminder for lead11 and the 企业微信 sink its text; screenshots in {OUT}")
finally:
    if driver is not None:
        driver.quit()
    server.terminate()
    try:
        server.wait(timeout=10)
    except Exception:
        server.kill()
    stop_sinks()
