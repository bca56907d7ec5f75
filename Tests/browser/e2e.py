#!/usr/bin/env python3
"""End-to-end test in a real browser (Chromium, headless) against a real `kaohe serve --demo`
on SQLite — the month of every role (issue 7 §8): every demo role signs in; HR opens the November
cycle from the cycles page; the team lead rates the twelve sheets in the form (the live total
follows the marks); the manager reviews them; HR publishes; the agent sees the result explained
item by item, objects, and sees the manager's decision; the QA inspector grades a recording; HR
checks a scheme in the editor; the agent switches to English and 繁體中文; HR downloads an XLSX.
Screenshots of the key pages at desktop and phone width go to the folder given.

usage: e2e.py KAOHE_BINARY SCREENSHOT_DIR
"""
import json
import http.cookiejar
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
PORT = 18090
BASE = f"http://127.0.0.1:{PORT}"




run = harness.Run("E2E", BIN, OUT, PORT, today="2026-11-28", width=1280, failure="failure")
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
    # the login page, in Chinese, with the demo logins
    driver.get(f"{BASE}/login")
    expect("demo1234" in driver.page_source and "登录" in text(), "login page")
    shot("login")

    # every role signs in and sees its home
    for user, label in [("hr", "人事"), ("manager1", "部门经理"), ("lead11", "组长"), ("qa1", "质检员"), ("agent1", "客服专员")]:
        login(user)
        expect(label in text(), f"{user}: role label {label} not shown")
        shot(f"home-{user}")

    # HR opens the November cycle for 售前一组 on the cycles page
    login("hr")
    run.open_cycle(preview_shot="cycle-preview")
    expect(wait_for(lambda: "已下发 12 张" in text() and "2026-11-30" in text()), "the cycle was not opened for the 12 people of 售前一组")
    shot("cycles")

    # the team lead rates agent1's sheet in the form
    login("lead11")
    driver.get(f"{BASE}/sheets")
    expect("101002" in text(), "lead11 has no sheet for 101002")
    shot("sheets-lead")
    driver.find_element(By.LINK_TEXT, "101002").click()
    expect(wait_for(lambda: driver.find_elements(By.ID, "live-total")), "the sheet did not open")
    before = driver.find_element(By.ID, "live-total").text
    for el in driver.find_elements(By.CSS_SELECTOR, "input[name^='v.']"):
        if not el.get_attribute("name").endswith(".override"):
            el.clear()
            el.send_keys("4")
    for el in driver.find_elements(By.CSS_SELECTOR, "select[name^='v.']"):
        s = Select(el)
        s.select_by_index(len(s.options) - 2 if len(s.options) > 2 else 1)
    # the live total follows the marks as they are typed (the page's script asks the server)
    expect(wait_for(lambda: driver.find_element(By.ID, "live-total").text != before), f"the live total did not change from {before}")
    shot("sheet-form")
    driver.find_element(By.CSS_SELECTOR, "button[value='submit_rating']").click()
    expect(wait_for(lambda: "阶段：复核" in text() and "提交评分" in text() and "上级评分 → 复核" in text()), "the rating was not submitted: " + text()[:500])
    shot("sheet-rated")

    # the agent sees the sheet in review; no total before publication
    login("agent1")
    driver.get(f"{BASE}/sheets")
    expect("复核" in text(), "agent1 does not see the sheet under review")
    shot("sheets-agent")

    def do_pending(who):
        """Every November sheet waiting for this user: rated in the form or approved in review."""
        done = 0
        while True:
            driver.get(f"{BASE}/sheets")
            todo = None
            for r in driver.find_elements(By.CSS_SELECTOR, "table tr"):
                cells = r.find_elements(By.TAG_NAME, "td")
                if len(cells) >= 5 and cells[2].text == "2026-11" and cells[4].text in ("评分", "复核/申诉"):
                    todo = r
                    break
            if todo is None:
                return done
            todo.find_element(By.TAG_NAME, "a").click()
            expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "button[value='submit_rating'], button[value='approve']")),
                   f"{who}: a sheet to rate or review did not open")
            if driver.find_elements(By.CSS_SELECTOR, "button[value='submit_rating']"):
                for el in driver.find_elements(By.CSS_SELECTOR, "input[name^='v.']"):
                    if not el.get_attribute("name").endswith(".override"):
                        el.clear()
                        el.send_keys("5")
                for el in driver.find_elements(By.CSS_SELECTOR, "select[name^='v.']"):
                    Select(el).select_by_index(1)
                driver.find_element(By.CSS_SELECTOR, "button[value='submit_rating']").click()
            else:
                if who == "manager1" and not any(f.startswith("sheet-review") for f in os.listdir(OUT)):
                    shot("sheet-review")
                driver.find_element(By.CSS_SELECTOR, "button[value='approve']").click()
            expect(wait_for(lambda: "阶段：复核" in text() or "阶段：待发布" in text()), f"{who}: the step was not recorded: " + text()[:400])
            done += 1

    # the lead rates the rest of the team, the manager rates the lead and reviews, HR reviews what is left
    login("lead11")
    expect(do_pending("lead11") >= 10, "the lead did not rate the rest of the team")
    login("manager1")
    do_pending("manager1")
    driver.get(f"{BASE}/")
    shot("home-manager-cycle")
    login("hr")
    do_pending("hr")

    # HR publishes the month
    login("hr")
    driver.get(f"{BASE}/cycles")
    driver.find_element(By.XPATH, "//a[contains(., '发布结果')]").click()
    # the confirmation first (issue 16 §4): 12 sheets, none missing, what the people will see
    expect(wait_for(lambda: "将发布 12 张考核表" in text() and "尚未完成 0 张" in text()), "no publication confirmation: " + text()[:400])
    shot("publish-confirm")
    driver.find_element(By.XPATH, "//button[contains(., '确认发布')]").click()
    expect(wait_for(lambda: "已发布 12 张" in text()), "the cycle was not published: " + text()[:400])

    # the agent sees the result with every item explained, and objects
    login("agent1")
    expect("2026-11 成绩" in text() and "依据与计算" in text(), "agent1's home does not show the November result")
    expect(driver.find_elements(By.CSS_SELECTOR, "div.chart svg"), "agent1's home has no trend chart")
    width = shot("home-agent-published")
    expect(width <= 400, f"agent1's home is wider than a phone ({width}px)")
    driver.find_element(By.LINK_TEXT, "查看考核表、确认或申诉").click()
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "button[value='object']")), "no objection button on the published sheet")
    driver.find_element(By.NAME, "reason").send_keys("差评是物流原因造成的，附聊天记录")
    driver.find_element(By.CSS_SELECTOR, "button[value='object']").click()
    expect(wait_for(lambda: "阶段：申诉中" in text() or "申诉" in text() and "差评是物流原因造成的" in text()), "the objection was not recorded: " + text()[:400])
    shot("sheet-objected")

    # the manager upholds the result with a reason; the agent sees the outcome on the home page
    login("manager1")
    driver.get(f"{BASE}/sheets")
    next(r for r in driver.find_elements(By.CSS_SELECTOR, "table tr") if "101002" in r.text).find_element(By.TAG_NAME, "a").click()
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "button[value='uphold']")), "no uphold button for the objection")
    driver.find_element(By.NAME, "reason").send_keys("差评与物流无关，维持")
    driver.find_element(By.CSS_SELECTOR, "button[value='uphold']").click()
    expect(wait_for(lambda: "差评与物流无关" in text()), "the objection was not decided")
    login("agent1")
    expect("维持原结果" in text() and "差评与物流无关" in text(), "agent1 does not see the objection's outcome")

    # the QA inspector grades a recording
    login("qa1")
    driver.get(f"{BASE}/qa")
    first = driver.find_element(By.CSS_SELECTOR, "table.qa tr[id^='qa-']")
    number = first.get_attribute("id")[3:]
    Select(first.find_element(By.NAME, "grade")).select_by_visible_text("良")
    first.find_element(By.NAME, "note").send_keys("REC-0001")
    first.find_element(By.XPATH, ".//button[contains(., '记录')]").click()
    expect(wait_for(lambda: f"{number}：已记录 良" in text()), "the QA grade was not recorded")
    shot("qa")

    # HR checks the scheme in the editor
    login("hr")
    driver.get(f"{BASE}/schemes/ecommerce-monthly")
    driver.find_element(By.CSS_SELECTOR, "button[value='check']").click()
    expect(wait_for(lambda: "错误 0 个" in text() or "校验通过" in text()), "the scheme check did not run")
    shot("scheme-editor")

    # the agent switches to English and to 繁體中文: the same page in the chosen language
    login("agent1")
    driver.find_element(By.CSS_SELECTOR, "button[value='en']").click()
    expect(wait_for(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"), "the page did not switch to English")
    expect("Home" in text() and "Sign out" in text() and "Objections" in text(), "English labels missing: " + text()[:300])
    shot("home-agent-en")
    driver.find_element(By.CSS_SELECTOR, "button[value='zh-Hant']").click()
    expect(wait_for(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"), "the page did not switch to 繁體中文")
    expect("首頁" in text() and "申訴" in text(), "繁體 labels missing")
    shot("home-agent-hant")
    driver.find_element(By.CSS_SELECTOR, "button[value='zh-Hans']").click()
    expect(wait_for(lambda: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"), "the page did not switch back to 简体中文")

    # HR reads the October star board and ranking: the figures a person reads are the outcomes the
    # engine stored from the published months (R-100-03) — a level and its bonus, a rank reward
    login("hr")
    def api(path):
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        return json.loads(urllib.request.urlopen(urllib.request.Request(f"{BASE}{path}", headers={"Cookie": cookie}), timeout=30).read())
    def row_of(number):
        rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "tr") if number in r.text.split()]
        return rows[0] if rows else ""
    levels = api("/api/v1/outcomes?period=2026-10&scheme=star-agent")
    bonus = next((o for o in levels if o["kind"] == "level_bonus" and o["amount"]), None)
    expect(bonus is not None, "the demo's star-agent team has a level bonus in October")
    level = next(o for o in levels if o["kind"] == "level" and o["employee_number"] == bonus["employee_number"])
    driver.get(f"{BASE}/reports/star-board?period=2026-10")
    expect("星星榜" in text(), "the star board page")
    line = row_of(bonus["employee_number"])
    expect(level["value"] in line and bonus["amount"] in line, f"star board row of {bonus['employee_number']} shows {level['value']} and {bonus['amount']}: {line}")
    shot("star-board")
    ranks = api("/api/v1/outcomes?period=2026-10&scheme=ecommerce-monthly")
    reward = next((o for o in ranks if o["kind"] == "rank_reward" and o["amount"] not in (None, "0.00")), None)
    expect(reward is not None, "the demo's e-commerce month has rank money")
    driver.get(f"{BASE}/reports/ranking?period=2026-10")
    expect("名次" in text(), "the ranking page")
    line = row_of(reward["employee_number"])
    expect(reward["amount"].lstrip("-") in line, f"ranking row of {reward['employee_number']} shows {reward['amount']}: {line}")
    shot("ranking")
    driver.get(f"{BASE}/imports")
    shot("imports")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    req = urllib.request.Request(f"{BASE}/exports/download?form=ranking&period=2026-10&department=&format=xlsx", headers={"Cookie": cookie})
    data = opener.open(req, timeout=30).read()
    expect(data[:2] == b"PK" and len(data) > 2000, "the XLSX download is not a workbook")
    (OUT / "ranking-2026-10.xlsx").write_bytes(data)

    print(f"E2E passed: {run.checks} checks, screenshots in {OUT}")
finally:
    run.close()
