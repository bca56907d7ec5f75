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

import harness
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "notify"))
import sinks  # noqa: E402

BIN, OUT = sys.argv[1], pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
PORT = 18095
BASE = f"http://127.0.0.1:{PORT}"
KEY = "E2E-WECOM-KEY-1234567890"


stop_sinks = None


def sinks_up(tmp):
    """The SMTP and HTTP sinks first; the server's settings are made on the page, in the test."""
    global received, smtp_port, http_port, stop_sinks
    received = os.path.join(tmp, "received")
    smtp_port, http_port, stop_sinks = sinks.start(received)
    return {"KAOHE_NOTIFY_INTERVAL": "2"}


run = harness.Run("NOTIFY E2E", BIN, OUT, PORT, today="2026-11-28", width=1280, before=sinks_up)
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
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

    # HR opens the November cycle for 售前一组 on the 28th: rating due on the 30th (R-002-30)
    run.open_cycle()
    expect(wait_for(lambda: "已下发 12 张" in text()), "the cycle was not opened for 售前一组: " + text()[:400])
    # 5 December: the rating deadline has passed; HR reminds the late
    run.restart(today="2026-12-05")
    driver.get(f"{BASE}/cycles")
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

    print(f"NOTIFY E2E passed: {run.checks} checks; the SMTP sink got the reminder for lead11 and the 企业微信 sink its text; screenshots in {OUT}")
finally:
    run.close()
    if stop_sinks:
        stop_sinks()
