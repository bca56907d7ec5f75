#!/usr/bin/env python3
"""Bulk review in a real browser (issue 17 §2), against a real `kaohe serve --demo` on SQLite.

HR opens the November cycle for 售前一组; the team lead rates his eleven agents and the manager
rates the lead (through the API, as a script of the rating grid would); the manager finds the team
on /sheets, opens its review page, sees every sheet with its total and grade, is refused a return
without a reason (the choices kept), then approves the whole team in one action and reads what was
done per sheet. On the calibration page the forced-distribution shares are ≤ 100 %, every rater's
name is inside the chart (measured in the rendered SVG), and one sheet is adjusted with a reason:
its total drops by the points taken off. Screenshots at 1366×900 and 390×844 go to the folder given.

usage: review.py KAOHE_BINARY SCREENSHOT_DIR
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import harness
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BIN, OUT = sys.argv[1], pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
PORT = 18094
BASE = f"http://127.0.0.1:{PORT}"
DESKTOP, PHONE = (1366, 900), (390, 844)




run = harness.Run("REVIEW", BIN, OUT, PORT, today="2026-11-28", width=1366, failure="failure")
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
    def api(method, path, body=None):
        """The signed-in browser's session calling the API, with the page's CSRF token (as the page's scripts do)."""
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        headers = {"Cookie": cookie, "X-CSRF-Token": driver.find_element(By.NAME, "_csrf").get_attribute("value")}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(f"{BASE}{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def rate_all(who):
        """Every November sheet this user rates, submitted with 4 points a mark and 标准 (no rater decisions: November has no imported figures)."""
        status, rows = api("GET", "/api/v1/sheets")
        expect(status == 200, f"{who}: GET /api/v1/sheets → {status}")
        done = 0
        for r in rows:
            if r["period"] != "2026-11" or r["role"] != "rater":
                continue
            status, s = api("GET", f"/api/v1/sheets/{r['id']}")
            expect(status == 200, f"{who}: GET sheet {r['employee']} → {status}")
            values = {}
            for f in s["fields"]:
                if f["column"].endswith(".override"):
                    continue
                if f.get("grades"):
                    values[f["column"]] = f["grades"][1] if len(f["grades"]) > 1 else f["grades"][0]
                else:
                    v = 4.0
                    if f.get("max") is not None:
                        v = min(v, float(f["max"]))
                    if f.get("min") is not None:
                        v = max(v, float(f["min"]))
                    values[f["column"]] = f"{v:g}"
            status, body = api("POST", f"/api/v1/sheets/{r['id']}/actions", {"action": "submit_rating", "version": s["version"], "values": values})
            expect(status == 200, f"{who}: submitting {r['employee']} → {status}: {body}")
            done += 1
        return done

    # HR opens the November cycle for 售前一组 on the cycles page
    login("hr")
    run.open_cycle()
    expect(wait_for(lambda: "已下发 12 张" in text()), "the cycle was not opened for the 12 people of 售前一组")
    section = next(s for s in driver.find_elements(By.CSS_SELECTOR, "main section") if "2026-11" in s.find_element(By.TAG_NAME, "h3").text)
    review_link = section.find_element(By.LINK_TEXT, "批量复核").get_attribute("href")
    cycle = re.search(r"/cycles/([0-9A-Fa-f-]{36})/review", review_link).group(1)

    # the lead rates his eleven agents, the manager the lead
    login("lead11")
    expect(rate_all("lead11") == 11, "lead11 did not rate eleven agents")
    login("manager1")
    expect(rate_all("manager1") == 1, "manager1 did not rate the lead")

    # the manager finds the team on /sheets and opens its review page
    loads = 0
    driver.get(f"{BASE}/sheets")
    loads += 1
    expect("待我复核" in text() and "待复核 11 张" in text(), "/sheets does not say eleven sheets wait for review: " + text()[:600])
    driver.find_element(By.LINK_TEXT, "批量复核").click()
    loads += 1
    expect(wait_for(lambda: driver.find_elements(By.ID, "review-form")), "the review page did not open")
    rows = driver.find_elements(By.CSS_SELECTOR, "tr[id^='row-']")
    expect(len(rows) == 11, f"the review page lists {len(rows)} sheets, not the team's 11")
    for r in rows:
        cells = r.find_elements(By.TAG_NAME, "td")
        # 工号 · 姓名 · 班组 · 评分人 · total · grade: the figures the manager compares
        expect(cells[3].text == "售前一组" and "lead11" in cells[4].text and re.fullmatch(r"\d+(\.\d+)?", cells[5].text) and cells[6].text not in ("", "—"),
               f"row {cells[1].text}: {[c.text for c in cells]}")
    # the script shows "select all" (the link without it is hidden)
    expect(driver.find_element(By.ID, "select-all").is_displayed(), "no select-all checkbox")
    driver.find_element(By.ID, "select-all").click()
    expect(wait_for(lambda: driver.find_element(By.ID, "selected-count").text == "11"), "select all did not choose the eleven sheets")
    width = shot("review")
    expect(width <= PHONE[0] + 10, f"the review page is wider than a phone ({width}px)")

    # a return without a reason is refused; nothing is lost (the choices stay)
    driver.find_element(By.CSS_SELECTOR, "button[value='return']").click()
    expect(wait_for(lambda: "批量退回须写明原因" in text()), "a return without a reason was not refused: " + text()[:500])
    expect(len(driver.find_elements(By.CSS_SELECTOR, "tr[id^='row-']")) == 11 and driver.find_element(By.ID, "selected-count").text == "11",
           "after the refusal the sheets are not all still there and chosen")
    shot("review-refused")

    # the whole team in one action, from a fresh review page: open it, choose all, approve
    driver.find_element(By.LINK_TEXT, "我的考核").click()
    loads = 1
    expect(wait_for(lambda: driver.find_elements(By.LINK_TEXT, "批量复核")), "back on /sheets")
    driver.find_element(By.LINK_TEXT, "批量复核").click()
    loads += 1
    expect(wait_for(lambda: driver.find_elements(By.ID, "select-all")), "the review page did not open again")
    started = time.time()
    driver.find_element(By.ID, "select-all").click()
    driver.find_element(By.CSS_SELECTOR, "button[value='approve']").click()
    loads += 1
    expect(wait_for(lambda: "处理结果" in text() and driver.find_element(By.ID, "done-count").text == "11"), "the team was not approved: " + text()[:800])
    seconds = time.time() - started
    expect("没有等待你复核的考核表" in text() and not driver.find_elements(By.ID, "refused-count"), "something is left or was refused: " + text()[:800])
    expect(len([r for r in driver.find_elements(By.CSS_SELECTOR, "section.outcomes tr") if "已复核通过" in r.text]) == 11, "not every sheet reads 已复核通过")
    expect(loads == 3, f"{loads} page loads to review the team (goal: /sheets, the review page, one post)")
    shot("review-done")
    status, mine = api("GET", "/api/v1/sheets")
    ready = [r for r in mine if r["period"] == "2026-11" and r["stage"] == "ready"]
    expect(status == 200 and len(ready) == 11, f"{len(ready)} November sheets ready to publish, not 11")

    # calibration: the distribution in per cent of the department, the names inside the chart
    driver.get(f"{BASE}/cycles/{cycle}/calibration?department_grade=A")
    expect("强制分布" in text(), "the calibration page")
    shares = [float(td.text.rstrip(" %")) for td in driver.find_elements(By.CSS_SELECTOR, "td.num") if td.text.endswith("%")]
    expect(shares and all(0 <= s <= 100 for s in shares), f"shares above 100 %: {shares}")
    expect(any(s == 30 for s in shares), f"an A department's best grade is capped at 30 %: {shares}")
    names = driver.execute_script("""
        return Array.from(document.querySelectorAll('div.chart svg text[text-anchor="end"]')).map(function (t) {
          var b = t.getBBox(); return [t.textContent, b.x, b.x + b.width];
        });""")
    expect(len(names) == 2 and any("lead11" in n[0] for n in names) and any("manager1" in n[0] for n in names), f"the chart's raters: {names}")
    for name, left, _ in names:
        expect(left >= 0, f"“{name}” is clipped in the chart (starts at {left:.1f})")

    # one sheet adjusted from the calibration page, with its reason
    row = driver.find_elements(By.CSS_SELECTOR, "tr[id^='sheet-']")
    row = next(r for r in row if r.find_elements(By.CSS_SELECTOR, "form.adjust"))
    number = row.get_attribute("id")[len("sheet-"):]
    sheet = row.find_element(By.NAME, "sheet").get_attribute("value")
    status, before = api("GET", f"/api/v1/sheets/{sheet}")
    expect(status == 200 and before["stage"] == "ready", f"the sheet to adjust: {status} {before if status != 200 else before['stage']}")
    Select(row.find_element(By.NAME, "column")).select_by_value("communication")
    row.find_element(By.NAME, "value").send_keys("2")
    row.find_element(By.NAME, "reason").send_keys("校准会：沟通分与同组标准对齐")
    row.find_element(By.XPATH, ".//button[contains(., '校准调整')]").click()
    expect(wait_for(lambda: driver.find_elements(By.ID, "adjusted")), "the adjustment was not made: " + text()[:600])
    status, after = api("GET", f"/api/v1/sheets/{sheet}")
    was, now = float(before["final_total"]), float(after["final_total"])
    expect(abs((was - now) - 2) < 1e-9, f"{number}: the total went {was} → {now}, not 2 points down")
    expect(after["rater_total"] == before["rater_total"], "the rater's total did not stay")
    expect(after["history"][-1]["action"] == "adjust" and after["history"][-1]["reason"] == "校准会：沟通分与同组标准对齐", "the adjustment's reason is not in the history")
    expect(f"{before['final_total']} → {after['final_total']}" in driver.find_element(By.ID, "adjusted").text, "the page does not say what the total became")
    shot("calibration-adjusted")

    print(f"REVIEW passed: {run.checks} checks; the team of 11 approved in {loads} page loads ({seconds:.1f} s from the review page); screenshots in {OUT}")
finally:
    run.close()
