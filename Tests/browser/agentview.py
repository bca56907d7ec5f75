#!/usr/bin/env python3
"""The agent's view in a real browser (issue 17 §4), Chromium headless against `kaohe serve --demo`
on SQLite (own port, own database): agent1 reads October's performance pay — the figure the
preset's pay rule gives for the month's total — with its explanation, every money line in yuan
with two decimals, and an item's formula explained with its units; at 390×844 the sheet's items
are cards whose names read on one line. Then November is opened, rated and published (HR, the
lead, the manager through the API), agent1 objects to two items on the page, the manager upholds
one and changes the other on the page, and agent1 reads both decisions and the new total.

The demo (Sources/KaoheDemo) publishes and locks every month 2025-11 … 2026-10 for every team;
agent1 is 101002 of 售前一组 under ecommerce-monthly, whose 当月绩效工资 is 3000.00 元 every month.

usage: agentview.py KAOHE_BINARY SCREENSHOT_DIR
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
from decimal import Decimal, ROUND_HALF_UP

import harness
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BIN, OUT = sys.argv[1], pathlib.Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
PORT = 18091
BASE = f"http://127.0.0.1:{PORT}"




run = harness.Run("AGENTVIEW", BIN, OUT, PORT, today="2026-11-28", width=1366, failure="failure")
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
    def api(method, path, body=None):
        """A call of the signed-in browser's session: its cookie and the page's CSRF token."""
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        token = driver.find_element(By.NAME, "_csrf").get_attribute("value")
        headers = {"Cookie": cookie, "X-CSRF-Token": token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def yuan(d):
        return str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    def grouped(d):
        # money in an explanation, with thousands separators (issue 17 §3): 2,427.30
        return f"{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"

    # --- October, published and locked: the pay line, its explanation, the money lines ---
    login("agent1")
    m = re.search(r"2026-10 成绩：(\d+(?:\.\d+)?)", text())
    expect(m is not None, "agent1's home names October's total")
    total = Decimal(m.group(1))
    # ecommerce-monthly's pay rule (R-001-13): ≥ 90 the whole 当月绩效工资, 70 ≤ score < 90 base × score ÷ 100, below 70 nothing
    base = Decimal("3000")
    pay = base if total >= 90 else (base * total / 100 if total >= 70 else Decimal(0))
    expect(driver.find_element(By.ID, "pay").text == grouped(pay), f"home pay {driver.find_element(By.ID, 'pay').text} != {grouped(pay)} (total {total})")
    expect("绩效工资" in text(), "the home has no pay line")
    driver.find_element(By.LINK_TEXT, "2026-10").click()
    expect(wait_for(lambda: "/sheets/" in driver.current_url and driver.find_elements(By.ID, "items")), "the October link does not open its sheet")
    expect(driver.find_element(By.ID, "pay").text == grouped(pay), "the sheet's pay line")
    why = driver.find_element(By.CSS_SELECTOR, "div.pay p.why").text
    expect("3,000.00 元" in why and f"{grouped(pay)} 元" in why, f"the pay explanation shows base and pay in yuan: {why}")
    # an item's formula with its units: 销售额 in 元, 平均响应时间 in 秒
    sales = driver.find_element(By.CSS_SELECTOR, "#items tr[data-item='sales'] .why").text
    response = driver.find_element(By.CSS_SELECTOR, "#items tr[data-item='response'] .why").text
    expect("元" in sales and "÷" in sales, f"the sales formula reads with yuan: {sales}")
    expect("秒" in response, f"the response time reads in seconds: {response}")
    amounts = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "table.money td.amount")]
    expect(len(amounts) >= 4 and all(re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{2}", a) for a in amounts), f"money lines in yuan with two decimals: {amounts}")
    expect("奖惩合计" in text(), "the money lines have their sum")
    driver.save_screenshot(str(OUT / "agentview-sheet-desktop.png"))

    # --- the phone: one card per item, names on one line, nothing wider than the screen ---
    driver.set_window_size(390, 844)
    time.sleep(0.3)
    driver.save_screenshot(str(OUT / "agentview-sheet-phone.png"))
    shape = driver.execute_script("""
        var tr = document.querySelector('#items tr[data-item="knowledge"]');
        var label = tr.querySelector('td.label');
        var head = document.querySelector('#items tr.head');
        var line = parseFloat(getComputedStyle(label).lineHeight) || 24;
        return {row: getComputedStyle(tr).display, head: getComputedStyle(head).display, width: label.getBoundingClientRect().width,
                height: label.getBoundingClientRect().height, line: line, page: document.documentElement.scrollWidth,
                labels: Array.from(tr.querySelectorAll('td[data-label]')).map(function (td) { return td.getAttribute('data-label'); })};
    """)
    expect(shape["row"] == "block" and shape["head"] == "none", f"the items are not cards on a phone: {shape}")
    expect(shape["width"] > 250 and shape["height"] < 2 * shape["line"] + 4, f"商品专业知识 does not read on one line: {shape}")
    expect(shape["page"] <= 400, f"the sheet is wider than the phone: {shape['page']}px")
    expect("得分" in shape["labels"] and "依据与计算" in shape["labels"], f"the cells say what they hold: {shape['labels']}")
    driver.set_window_size(1366, 900)

    # --- November: HR opens it for 售前一组; the lead rates, the manager and HR review, HR publishes ---
    login("hr")
    run.open_cycle()
    expect(wait_for(lambda: "已下发 12 张" in text()), "the November cycle was not opened for 售前一组")

    def work(who):
        """Every November sheet waiting for the signed-in user: rated (4 each, the grade 标准) or approved."""
        status, rows = api("GET", "/api/v1/sheets")
        expect(status == 200, f"{who}: /api/v1/sheets {status}")
        done = 0
        for r in rows:
            if r["period"] != "2026-11" or r["role"] not in ("rater", "reviewer"):
                continue
            status, s = api("GET", f"/api/v1/sheets/{r['id']}")
            expect(status == 200, f"{who}: sheet {r['employee']} {status}")
            if s["stage"] == "rating":
                values = {f["column"]: (f["grades"][1] if f.get("grades") else "4") for f in s["fields"] if not f["column"].endswith(".override")}
                body = {"action": "submit_rating", "version": s["version"], "values": values}
            else:
                body = {"action": "approve", "version": s["version"]}
            status, out = api("POST", f"/api/v1/sheets/{r['id']}/actions", body)
            expect(status == 200, f"{who}: {body['action']} of {r['employee']} → {status} {out}")
            done += 1
        return done

    login("lead11")
    expect(work("lead11") == 11, "the lead rates the eleven agents")
    login("manager1")
    expect(work("manager1") == 12, "the manager reviews eleven sheets and rates the lead")
    login("hr")
    work("hr")
    status, cycles = api("GET", "/api/v1/cycles")
    cycle = next(c for c in cycles if c["period"] == "2026-11" and c["scheme"] == "ecommerce-monthly")
    status, out = api("POST", f"/api/v1/cycles/{cycle['id']}/publish")
    expect(status == 200 and out["sheets"] == 12, f"November was not published: {status} {out}")

    # --- agent1 objects to two items on the page, each with its reason ---
    login("agent1")
    driver.get(f"{BASE}/sheets")
    driver.find_element(By.LINK_TEXT, "2026-11").click()
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "button[value='object']")), "no objection on the published November sheet")
    before = driver.find_element(By.ID, "live-total").text
    driver.find_element(By.NAME, "o.communication").click()
    driver.find_element(By.NAME, "or.communication").send_keys("本月协助了两次跨组工单")
    driver.find_element(By.NAME, "o.evaluation").click()
    driver.find_element(By.NAME, "or.evaluation").send_keys("主管评价没有考虑本月 3 条好评")
    driver.find_element(By.CSS_SELECTOR, "button[value='object']").click()
    expect(wait_for(lambda: "阶段：申诉中" in text()), "the objection was not recorded: " + text()[:500])
    expect("本月协助了两次跨组工单" in text() and "待复核人处理" in text(), "the objected items do not show their reasons")
    driver.save_screenshot(str(OUT / "agentview-objected.png"))

    # --- the manager decides each item: 协调与沟通 upheld, 部门主管整体评价 changed to 优秀 ---
    login("manager1")
    driver.get(f"{BASE}/sheets")
    row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "table tr") if "101002" in r.text and "2026-11" in r.text)
    row.find_element(By.TAG_NAME, "a").click()
    expect(wait_for(lambda: driver.find_elements(By.NAME, "d.evaluation")), "no per-item decision for the reviewer")
    Select(driver.find_element(By.NAME, "d.communication")).select_by_value("upheld")
    driver.find_element(By.NAME, "dn.communication").send_keys("跨组工单已计入工作效率")
    Select(driver.find_element(By.NAME, "d.evaluation")).select_by_value("changed")
    driver.find_element(By.NAME, "dn.evaluation").send_keys("好评属实，整体评价改为优秀")
    Select(driver.find_element(By.NAME, "v.evaluation")).select_by_visible_text("优秀")
    driver.find_element(By.NAME, "reason").send_keys("核实本月好评 3 条")
    driver.find_element(By.CSS_SELECTOR, "button[value='change']").click()
    expect(wait_for(lambda: "阶段：申诉已处理" in text()), "the objection was not decided: " + text()[:600])

    # --- agent1 reads both decisions and the new total ---
    login("agent1")
    driver.get(f"{BASE}/sheets")
    driver.find_element(By.LINK_TEXT, "2026-11").click()
    expect(wait_for(lambda: driver.find_elements(By.ID, "items")), "the November sheet did not open")
    page = text()
    expect("维持原结果（4）" in page and "跨组工单已计入工作效率" in page, "agent1 does not read the upheld item")
    expect("已修改：4 → 5" in page and "好评属实，整体评价改为优秀" in page, "agent1 does not read the changed item")
    after = driver.find_element(By.ID, "live-total").text
    expect(Decimal(after) == Decimal(before) + 1, f"the total did not move by the changed item's point: {before} → {after}")
    driver.save_screenshot(str(OUT / "agentview-decided-desktop.png"))
    driver.set_window_size(390, 844)
    time.sleep(0.3)
    driver.save_screenshot(str(OUT / "agentview-decided-phone.png"))

    print(f"AGENTVIEW passed: {run.checks} checks, screenshots in {OUT}")
finally:
    run.close()
