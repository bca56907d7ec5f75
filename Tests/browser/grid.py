#!/usr/bin/env python3
"""The team rating grid in a real browser (issue 17 §1, §9): Chromium against `kaohe serve --demo`
on SQLite with KAOHE_TODAY=2026-11-28. HR opens the November cycle for 售前一组 on the cycles page
(as e2e.py does) and records the month's figures for its 12 people (101005's 咨询转化率 is 55.25 %,
in the gap between the bands, R-001-03); then lead11 rates the whole team on the grid with the
keyboard — Tab across a row, a digit for the grade, Enter down a column — each row's live total
following the marks (checked against the figure worked out from the marks), the band-gap row decided
with its reason, every row saved as it is left, and 提交全部已填完的行 submitting all eleven in one
request. The page loads (driver navigations) from /sheets to the submitted grid are counted (at most
3) and the rating is timed; both are printed. Screenshots at 1366×900 and 390×844.

usage: grid.py KAOHE_BINARY SCREENSHOT_DIR
"""
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
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

BIN, OUT = sys.argv[1], pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
PORT = 18093
BASE = f"http://127.0.0.1:{PORT}"
MARKS = ["communication", "knowledge", "attitude", "efficiency", "initiative"]
# the grade options in the scheme's order, chosen with the digit keys 1–5 (ecommerce-monthly, R-001-11)
GRADES = [("优秀", 5), ("标准", 4), ("也还好", 3), ("一般", 2), ("有待改进", 0)]
GAP = "101005"




def month(k):
    """The November figures of the k-th person of the team (1…12): every metric the scheme reads,
    so no item waits for data; 101005's conversion falls in the band gap."""
    inquiries = 400 + 20 * k
    rate = [18, 25, 35, 45, 55.25, 28, 40, 65, 33, 48, 22, 38][k - 1]
    orders = 221 if k == 5 else round(inquiries * rate / 100)
    if k == 5:
        inquiries = 400
    sales = 150000 + 15000 * k
    refund = 5000 + 500 * k
    values = {
        "inquiries": inquiries, "orders": orders, "inquiry_orders": orders, "inquiry_paid": orders - 5, "paid_orders": orders - 5,
        "refund_orders": 3 + k % 4, "response_time": 30 + 7 * k, "churn_rate": 20 + 3 * k, "sales_amount": sales,
        "refund_amount": refund, "paid_amount": sales - refund, "void_orders": k % 3, "return_rate": 4 + k % 6,
        "exchange_orders": k % 4, "bad_reviews": k % 3, "wrong_shipments": k % 2, "shipment_loss": 50 * (k % 2),
        "complaints": k % 2, "reminder_days": 0, "sales_target": 200000, "performance_pay": 2000, "probation": 0,
    }
    return {c: str(v) for c, v in values.items()}


run = harness.Run("GRID", BIN, OUT, PORT, today="2026-11-28", width=1366, failure="grid-failure")
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
    def fetch(method, path, body=None):
        """A call from the page, as its own script makes it (same origin, JSON)."""
        return driver.execute_async_script("""
            var done = arguments[arguments.length - 1];
            var init = {method: arguments[0], credentials: 'same-origin', headers: {'Content-Type': 'application/json'}};
            if (arguments[2]) init.body = JSON.stringify(arguments[2]);
            fetch(arguments[1], init).then(function (r) { return r.text().then(function (t) { done({status: r.status, text: t}); }); })
              .catch(function (e) { done({status: 0, text: String(e)}); });
        """, method, path, body)

    # HR opens the November cycle for 售前一组 on the cycles page (as e2e.py) and records the month's figures
    login("hr")
    run.open_cycle()
    expect(wait_for(lambda: "已下发 12 张" in text()), "the cycle was not opened for the 12 people of 售前一组")
    people = json.loads(fetch("GET", "/api/v1/employees")["text"])
    team_people = sorted((p for p in people if p["number"].startswith("1010") and "101001" <= p["number"] <= "101012"), key=lambda p: p["number"])
    expect(len(team_people) == 12, f"售前一组 has 12 people: {[p['number'] for p in team_people]}")
    for k, p in enumerate(team_people, start=1):
        r = fetch("PUT", "/api/v1/evidence", {"employee_id": p["id"], "period": "2026-11", "scheme": "ecommerce-monthly", "values": month(k)})
        expect(r["status"] == 200, f"November figures of {p['number']}: {r}")

    # lead11 rates the team: /sheets → the grid → 提交全部已填完的行, every page load counted
    login("lead11")
    loads = 0
    started = time.time()
    driver.get(f"{BASE}/sheets")
    loads += 1
    link = driver.find_element(By.XPATH, "//a[contains(@href, '/grid/')]")
    expect("评分表格" in link.text and "尚待评分 11 张" in text(), "the grid is not offered on /sheets: " + text()[:400])
    click(link)
    loads += 1
    expect(wait_for(lambda: driver.find_elements(By.ID, "grid-table")), "the grid did not open")
    expect(wait_for(lambda: driver.find_element(By.ID, "grid-hint").is_displayed()), "the grid's script did not run")
    driver.execute_script("window.__sameGridPage = true")
    rows = driver.find_elements(By.CSS_SELECTOR, "#grid-table tr.editable")
    expect(len(rows) == 11, f"11 rows to rate, found {len(rows)}")
    headers = [th.get_attribute("data-col") for th in driver.find_elements(By.CSS_SELECTOR, "#grid-table thead th[data-col]")]
    expect(headers == MARKS + ["evaluation"], f"columns {headers}")
    # the header stays in view and no label wraps one character per line
    for th in driver.find_elements(By.CSS_SELECTOR, "#grid-table thead th"):
        expect(driver.execute_script("return getComputedStyle(arguments[0]).position", th) == "sticky", "the header is sticky")
        expect(th.size["height"] < 80, f"header “{th.text}” wraps ({th.size['height']} px high)")
    shot("grid-open")

    def row_of(number):
        return next(r for r in driver.find_elements(By.CSS_SELECTOR, "#grid-table tr.editable")
                    if r.find_element(By.CSS_SELECTOR, "td.who a").text == number)

    def total(tr):
        t = tr.find_element(By.CSS_SELECTOR, "[data-total]").text
        return float(t) if t not in ("", "—") else None

    def active_col():
        return driver.switch_to.active_element.get_attribute("data-col")

    numbers = [r.find_element(By.CSS_SELECTOR, "td.who a").text for r in rows]
    for i, number in enumerate(numbers):
        tr = row_of(number)
        before = total(tr) or 0.0
        marks = [5 - (i + j) % 3 for j in range(len(MARKS))]          # 5, 4 or 3
        digit = 1 + i % 3                                                # 优秀, 标准 or 也还好
        click(tr.find_element(By.NAME, f"r.{tr.get_attribute('data-sheet')}.v.communication"))
        keys = ActionChains(driver)
        for j, m in enumerate(marks):
            keys.send_keys(str(m), Keys.TAB)
        keys.send_keys(str(digit))
        keys.perform()
        if i == 0:
            expect(active_col() == "evaluation", f"Tab goes across the row to the grade: at {active_col()}")
        expected = before + sum(marks) + GRADES[digit - 1][1]
        if number == GAP:
            # the decision the band gap waits for, and its reason beside it
            expect(tr.find_elements(By.CSS_SELECTOR, "td.decide input[data-col='conversion.override']"), "no decision field on the band-gap row")
            expect("不在任何档位内" in tr.text, "the band gap is not said on its row: " + tr.text)
            ActionChains(driver).send_keys(Keys.TAB, "3", Keys.TAB, "系统漏记 40 单咨询，按 30–50% 档扣 2 分").perform()
            expect(active_col() == "reason", f"Tab goes on to the decision's reason: at {active_col()}")
            expected += 3
        else:
            expect(not tr.find_elements(By.CSS_SELECTOR, "td.decide input"), f"{number}: a decision field where nothing is flagged")
        # the row's live total follows the marks (the sheet's preview): what they add, worked out here
        expect(wait_for(lambda: total(row_of(number)) is not None and abs(total(row_of(number)) - expected) < 0.006),
               f"{number}: live total {total(row_of(number))}, expected {before} + {sum(marks)} + grade = {expected}")
        # and its grade the total's (R-001-13: 全额 from 90, 按比例 from 70, else 不合格)
        grade = "全额" if expected >= 90 else "按比例" if expected >= 70 else "不合格"
        expect(wait_for(lambda: row_of(number).find_element(By.CSS_SELECTOR, "[data-grade]").text == grade),
               f"{number}: grade {row_of(number).find_element(By.CSS_SELECTOR, '[data-grade]').text} for {expected}, expected {grade}")
        if i == 0:
            shot("grid-first-row")

    # Enter moves down to the same column of the next row
    first = row_of(numbers[0]).find_element(By.CSS_SELECTOR, "[data-col='knowledge'][name]")
    click(first)
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    landed = driver.switch_to.active_element
    expect(landed.get_attribute("data-col") == "knowledge" and landed.get_attribute("name").startswith(f"r.{row_of(numbers[1]).get_attribute('data-sheet')}."),
           "Enter did not move down to the next row's 商品专业知识")
    # leaving the last row saves it; every row is saved with its version and says it is complete
    click(driver.find_element(By.TAG_NAME, "h1"))
    expect(wait_for(lambda: all("已保存" in r.find_element(By.CSS_SELECTOR, "[data-status]").text and "已填完" in r.find_element(By.CSS_SELECTOR, "[data-status]").text
                                for r in driver.find_elements(By.CSS_SELECTOR, "#grid-table tr.editable")), timeout=30),
           "not every row was saved: " + " | ".join(r.find_element(By.CSS_SELECTOR, "[data-status]").text for r in driver.find_elements(By.CSS_SELECTOR, "#grid-table tr.editable")))
    expect(driver.execute_script("return window.__sameGridPage === true"), "typing and saving loaded a page")
    width = shot("grid-typed")
    expect(width <= 400, f"the grid page is wider than a phone ({width}px); the table should scroll inside its frame")

    click(driver.find_element(By.ID, "submit-complete"))
    loads += 1
    expect(wait_for(lambda: driver.find_elements(By.ID, "grid-outcome"), timeout=30), "提交全部已填完的行 gave no report")
    elapsed = time.time() - started
    outcome = driver.find_element(By.ID, "grid-outcome").text
    expect("已提交 11 张" in outcome and "未提交" not in outcome, "not every row was submitted: " + outcome)
    expect(len(driver.find_elements(By.CSS_SELECTOR, "#grid-table tr.editable")) == 0, "rows still open for rating after submitting")
    shot("grid-submitted")

    # the eleven sheets are at the review stage, the manager's to review
    mine = json.loads(fetch("GET", "/api/v1/sheets")["text"])
    # lead11's own sheet (101001) is his manager's to rate and stays at rating
    november = [s for s in mine if s["period"] == "2026-11" and s["employee"] != "101001"]
    expect(len(november) == 11 and all(s["stage"] == "review" for s in november), f"stages after submit-all: {[(s['employee'], s['stage']) for s in november]}")
    gap = next(s for s in november if s["employee"] == GAP)
    sheet = json.loads(fetch("GET", f"/api/v1/sheets/{gap['id']}")["text"])
    expect(sheet["values"].get("conversion.override") == "3", f"the band-gap decision: {sheet['values'].get('conversion.override')}")

    expect(loads <= 3, f"{loads} page loads to rate the team (at most 3)")
    print(f"grid: lead11 rated 11 sheets in {loads} page loads and {elapsed:.1f} s (goal: ≤ 3 loads, under 120 s)")
    print(f"Grid passed: {run.checks} checks, screenshots in {OUT}")
finally:
    run.close()
