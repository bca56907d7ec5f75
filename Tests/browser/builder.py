#!/usr/bin/env python3
"""The scheme builder in a real browser (issue 16 §2), against `kaohe serve --demo`: HR builds a
small scheme from blank — one section, a 手工评分 item, a 档位/区间 item with three bands (a gap is
typed and flagged, then fixed), a 扣分项 with two offences, three grades — previews it (a sample
employee scored item by item, then a typed value), saves it, and finds it in the scheme list.
Screenshots at 1366×900 and 390×844; the clicks are counted and printed.

usage: builder.py KAOHE_BINARY SCREENSHOT_DIR
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
PORT = 18099
BASE = f"http://127.0.0.1:{PORT}"




run = harness.Run("BUILDER", BIN, OUT, PORT, today="2026-11-28", width=1366, failure="builder-failure")
tmp, driver = run.tmp, run.driver
fail, expect, wait_for, shot, login, text, click = run.fail, run.expect, run.wait_for, run.shot, run.login, run.text, run.click
try:
    clicks = 0

    def shot(name):
        driver.set_window_size(1366, 900)
        time.sleep(0.3)
        driver.save_screenshot(str(OUT / f"{name}-1366.png"))
        driver.set_window_size(390, 844)
        time.sleep(0.3)
        driver.save_screenshot(str(OUT / f"{name}-390.png"))
        width = driver.execute_script("return document.documentElement.scrollWidth")
        inner = driver.execute_script("return window.innerWidth")
        driver.set_window_size(1366, 900)
        time.sleep(0.2)
        return width, inner



    def click(el):
        """One click of the person, after scrolling the element to the middle (the save bar is sticky)."""
        global clicks
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", el)
        el.click()
        clicks += 1

    def at(path):
        """The field (or row, or card) the builder shows for a path of the scheme."""
        found = driver.find_elements(By.CSS_SELECTOR, f'[data-path="{path}"]')
        expect(found, f"no field for {path}")
        return found[0]

    def type_in(path, value):
        el = at(path)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.clear()
        el.send_keys(value)

    def choose(path, value):
        """A choice in a list: one click of the person (the list opens and the option is picked)."""
        global clicks
        Select(at(path)).select_by_value(value)
        clicks += 1

    def status():
        return driver.find_element(By.ID, "b-status").text

    started = time.time()
    driver.get(f"{BASE}/login")
    driver.find_element(By.NAME, "username").send_keys("hr")
    driver.find_element(By.NAME, "password").send_keys("demo1234")
    click(driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    expect(wait_for(lambda: "/login" not in driver.current_url and driver.find_elements(By.CSS_SELECTOR, "header form")), "hr could not sign in")

    # from the scheme list to a blank builder
    driver.get(f"{BASE}/schemes")
    click(driver.find_element(By.ID, "new-scheme"))
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, '#b-editor [data-path="name"]')), "the builder did not open")
    expect("/schemes/new/builder" in driver.current_url, driver.current_url)
    type_in("name", "小店客服月度考核")
    type_in("id", "small-shop")

    # one metric the bands read
    click(driver.find_element(By.ID, "b-add-metric"))
    type_in("metrics[0].label", "客户满意度")
    type_in("metrics[0].id", "satisfaction")
    choose("metrics[0].kind", "percent")

    # a section, and its items from the palette
    click(driver.find_element(By.ID, "b-add-section"))
    type_in("sections[0].label", "考核项目")
    expect(at("sections[0].max").get_attribute("value") == "100", "the first section takes the scheme's full marks")
    click(driver.find_element(By.ID, "b-add-0-manual"))
    type_in("sections[0].items[0].label", "服务态度")
    type_in("sections[0].items[0].max", "40")

    click(driver.find_element(By.ID, "b-add-0-banded"))
    band = "sections[0].items[1]"
    type_in(f"{band}.label", "客户满意度")
    type_in(f"{band}.max", "30")
    choose(f"{band}.metric", "satisfaction")
    type_in(f"{band}.bands[0].min", "90")
    type_in(f"{band}.bands[0].value", "30")
    click(at(band).find_element(By.XPATH, ".//button[contains(., '添加一档')]"))
    # a gap typed: 70–80 leaves 80–90 in no band, flagged at once in the table
    type_in(f"{band}.bands[1].min", "70")
    type_in(f"{band}.bands[1].max", "80")
    type_in(f"{band}.bands[1].value", "20")
    check = lambda: at(band).find_element(By.CSS_SELECTOR, ".b-bandcheck").text
    expect(wait_for(lambda: "空档：80 至 90" in check()), f"the gap is not shown as typed: {check()}")
    expect(at(f"{band}.bands[0]").get_attribute("class").find("b-gap") >= 0, "the band after the gap is not marked")
    # and the server's validator says so at the band too
    expect(wait_for(lambda: any("空档" in p.text for p in at(band).find_elements(By.CSS_SELECTOR, ".b-problem"))),
           "the validator's gap warning is not shown at the band")
    shot("builder-gap")
    # fixed: 80–90
    type_in(f"{band}.bands[1].min", "80")
    type_in(f"{band}.bands[1].max", "90")
    click(at(band).find_element(By.XPATH, ".//button[contains(., '添加一档')]"))
    type_in(f"{band}.bands[2].min", "0")
    type_in(f"{band}.bands[2].max", "80")
    type_in(f"{band}.bands[2].value", "0")
    expect(wait_for(lambda: "档位连续" in check()), f"the fixed table still shows a problem: {check()}")

    click(driver.find_element(By.ID, "b-add-0-deductions"))
    ded = "sections[0].items[2]"
    type_in(f"{ded}.label", "服务差错")
    type_in(f"{ded}.max", "30")
    type_in(f"{ded}.offences[0].label", "迟到")
    type_in(f"{ded}.offences[0].points", "5")
    click(at(ded).find_element(By.XPATH, ".//button[contains(., '添加事项')]"))
    type_in(f"{ded}.offences[1].label", "态度恶劣")
    type_in(f"{ded}.offences[1].points", "10")
    type_in(f"{ded}.offences[1].cap", "20")

    # grades of the total
    for i, (label, low) in enumerate([("优秀", "90"), ("合格", "60"), ("不合格", None)]):
        click(driver.find_element(By.ID, "b-add-grade"))
        type_in(f"grades[{i}].label", label)
        if low:
            type_in(f"grades[{i}].min", low)

    # the preview: the sample takes the middle of each range — 服务态度 20 of 40, 满意度 50 % (0),
    # no offences (30): 50, 不合格; the attainable maximum is the scheme's 100
    total = lambda: driver.find_element(By.ID, "b-total-points").text
    expect(wait_for(lambda: total() == "50" and "不合格" in driver.find_element(By.ID, "b-total").text), f"sample total: {text()[-800:]}")
    expect("可得满分 100" in driver.find_element(By.ID, "b-max").text, driver.find_element(By.ID, "b-max").text)
    expect("错误 " not in status(), f"the scheme has errors: {status()} {driver.find_element(By.ID, 'b-problems').text}")
    rows = driver.find_elements(By.CSS_SELECTOR, "#b-items tr[data-item]")
    expect(len(rows) == 3 and all(r.find_element(By.CSS_SELECTOR, ".why").text for r in rows), "the preview does not explain every item")
    # a typed value: 满意度 95 % takes the top band (30): 80, 合格
    sample = driver.find_element(By.CSS_SELECTOR, '#b-inputs input[data-column="satisfaction"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", sample)
    sample.send_keys("95")
    expect(wait_for(lambda: total() == "80" and "合格" in driver.find_element(By.ID, "b-total").text), f"typed sample: {driver.find_element(By.ID, 'b-total').text}")
    width, inner = shot("builder-preview")
    expect(width <= inner + 1, f"the builder is wider than a phone ({width}px in {inner}px)")

    # the YAML tab shows the same scheme, and back
    click(driver.find_element(By.ID, "b-tab-yaml"))
    expect(wait_for(lambda: "id: small-shop" in driver.find_element(By.ID, "b-yaml").get_attribute("value")), "the YAML tab does not show the scheme")
    expect("kind: banded" in driver.find_element(By.ID, "b-yaml").get_attribute("value"), "the YAML has no banded item")
    click(driver.find_element(By.ID, "b-tab-visual"))
    expect(wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, f'[data-path="{ded}.offences[1].cap"]')), "back from YAML, the editor is gone")

    # save: version 1 of the company's own scheme, then it opens in the builder
    click(driver.find_element(By.ID, "b-save"))
    expect(wait_for(lambda: "/schemes/small-shop/builder" in driver.current_url), f"not saved: {driver.find_element(By.ID, 'b-saved').text}")
    expect(wait_for(lambda: "已创建方案 small-shop" in driver.find_element(By.ID, "b-saved").text), "no saved message")
    expect(wait_for(lambda: at(f"{band}.bands[2].max").get_attribute("value") == "80"), "the saved scheme does not reopen with its bands")
    shot("builder-saved")
    elapsed = time.time() - started
    driver.get(f"{BASE}/schemes")
    expect("small-shop" in text() and "小店客服月度考核" in text(), "the new scheme is not in the list")

    print(f"builder: HR built, previewed and saved a scheme from blank in {clicks} clicks and {elapsed:.1f} s")
    print(f"Builder passed: {run.checks} checks, screenshots in {OUT}")
finally:
    run.close()
