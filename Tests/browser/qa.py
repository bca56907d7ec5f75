#!/usr/bin/env python3
"""The QA form in a real browser (Chromium, headless) against a real `kaohe serve --demo` on
SQLite (issue 17 §5): the QA inspector opens an agent's checklist from the QA page, ticks a
standard not met and sees the grade follow live (优 → 良), ticks an auto-fail fault and sees 劣,
tries a `javascript:` link and is refused with the field named and what was typed kept, then
records the recording with a link and a comment: the server's grade is 劣 (95 by the checklist,
an auto-fail fault), the month counts 1/10, and the recording is listed with its criteria, its
link and the comment — on the checklist page and on the QA list. A recording graded on the one-line
form still works beside it. Screenshots at desktop and phone width go to the folder given.

usage: qa.py KAOHE_BINARY SCREENSHOT_DIR
"""
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

BIN, OUT = sys.argv[1], pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
PORT = 18097
BASE = f"http://127.0.0.1:{PORT}"
LINK = "https://rec.example.com/calls/20261120-0012?from=qa&x=1"
COMMENT = "开场未自报工号；通话中与同事聊天，用户听到话外音。"




run = harness.Run("QA BROWSER TEST", BIN, OUT, PORT, today="2026-11-28", width=1280, failure="qa-failure")
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
    def box(criterion):
        return driver.find_element(By.CSS_SELECTOR, f"form#checklist input[name='fault'][value='{criterion}']")

    def live_grade():
        return driver.find_element(By.ID, "checklist-grade").text.strip()

    def live_score():
        return driver.find_element(By.ID, "checklist-score").text.strip()

    # the QA inspector's list: every agent of the call centre, each with a link to their checklist
    login("qa1")
    driver.get(f"{BASE}/qa")
    expect("录音质检" in text(), "the QA page")
    first = driver.find_element(By.CSS_SELECTOR, "table.qa tr[id^='qa-']")
    number = first.get_attribute("id")[3:]
    expect("0/10" in first.text, f"{number} has no recording in November yet: {first.text}")
    first.find_element(By.LINK_TEXT, "按质检清单评定").click()
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "form#checklist")), "the checklist form did not open")
    page = text()
    expect(number in page and "本月已评" in page and "0/10" in page, f"the form names {number} and the month's count")
    for label in ["开场白规范：问候语、自报工号", "业务准确、无差错，不答非所问", "严重违纪：聊天、不应答、出现话外音", "服务态度生硬恶劣"]:
        expect(label in page, f"criterion {label} listed")
    expect("扣分项（未达标请勾选）" in page and "致命项（出现请勾选）" in page, "scoring and auto-fail criteria are told apart")
    expect(live_score() == "100" and live_grade() == "优", f"nothing ticked: 100 → 优, got {live_score()} → {live_grade()}")
    shot("qa-checklist-empty")

    # live: 语气 not met (−5) → 95 → 良; then an auto-fail fault → 劣, whatever the score
    box("voice").click()
    expect(wait_for(lambda: live_grade() == "良" and live_score() == "95"), f"语气 −5: 95 → 良, got {live_score()} → {live_grade()}")
    box("rude").click()
    expect(wait_for(lambda: live_grade() == "劣"), f"an auto-fail fault gives 劣, got {live_grade()}")
    expect(live_score() == "95", f"the score still shows 95, got {live_score()}")

    # a javascript: link is refused, naming the field; what was typed comes back
    driver.find_element(By.NAME, "reference").send_keys("javascript:alert(document.cookie)")
    driver.find_element(By.NAME, "comment").send_keys(COMMENT)
    driver.find_element(By.XPATH, "//form[@id='checklist']//button[contains(., '记录本条录音')]").click()
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "p.error[role=alert]")), "the javascript: link was not refused")
    error = driver.find_element(By.CSS_SELECTOR, "p.error[role=alert]").text
    expect("reference" in error and "http:// 或 https://" in error, f"the error names the field: {error}")
    expect(box("voice").is_selected() and box("rude").is_selected(), "the ticked criteria are kept")
    expect(driver.find_element(By.NAME, "comment").get_attribute("value") == COMMENT, "the typed comment is kept")
    expect(not driver.find_elements(By.CSS_SELECTOR, "a[href^='javascript']"), "no javascript: link on the page")
    expect(live_grade() == "劣", "the refused form still shows 劣")
    shot("qa-checklist-refused")

    # recorded with a real link: the server's grade is 劣 (95 by the checklist, an auto-fail fault)
    ref = driver.find_element(By.NAME, "reference")
    ref.clear()
    ref.send_keys(LINK)
    driver.find_element(By.XPATH, "//form[@id='checklist']//button[contains(., '记录本条录音')]").click()
    expect(wait_for(lambda: f"{number}：已记录 劣（按清单 95 分，出现致命项，本月第 1 条）" in text()),
           "the checklist recording was not recorded as 劣 (95 by the checklist)")
    page = text()
    expect("1/10" in page, "the month counts 1/10")
    expect("服务态度生硬恶劣" in page and "语气亲切、语音清晰、语速适中（−5 分）" in page and COMMENT in page,
           "the recording lists its criteria and the comment")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "div.qa-checklist a")]
    expect(LINK in links, f"the recording links to {LINK}: {links}")
    # the next recording starts from a clean form
    expect(not box("voice").is_selected() and not box("rude").is_selected() and live_grade() == "优", "the next recording starts clean")
    width = shot("qa-checklist")
    print(f"checklist page on a phone: scrollWidth {width}")

    # the QA list shows the recording with its checklist; the one-line form still grades directly
    driver.find_element(By.LINK_TEXT, "返回质检列表").click()
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "table.qa")), "back to the QA list")
    row = driver.find_element(By.ID, f"qa-{number}")
    expect("1/10" in row.text, f"the list counts 1/10 for {number}: {row.text}")
    Select(row.find_element(By.NAME, "grade")).select_by_visible_text("良")
    row.find_element(By.NAME, "note").send_keys("REC-0002")
    # tables keep their header in view (sticky): bring the row's button to the middle, not under it
    button = row.find_element(By.XPATH, ".//button[contains(., '记录')]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    expect(wait_for(lambda: f"{number}：已记录 良（本月第 2 条）" in text()), "the one-line grade was not recorded")
    row = driver.find_element(By.ID, f"qa-{number}")
    expect("2/10" in row.text, f"the list counts 2/10: {row.text}")
    summary = row.find_element(By.TAG_NAME, "summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    expect(wait_for(lambda: "按清单" in row.text and "服务态度生硬恶劣" in row.text and "REC-0002" in row.text),
           f"the list shows both recordings, the checklist one with its criteria: {row.text}")
    shot("qa-list")

    print(f"QA browser test passed: {run.checks} checks, screenshots in {OUT}")
finally:
    run.close()
