import Vapor

/// The small scripts that enhance pages which work without them (DESIGN.md): served from
/// `/assets/*.js` because the content security policy allows scripts from this site only.
enum Scripts {
    /// The scoring form: the live total and each item's explanation while the rater types,
    /// from `POST /api/v1/sheets/{id}/preview` (nothing is saved until the form is submitted).
    static let sheet = """
    (function () {
      var form = document.querySelector('form[data-preview]');
      if (!form) return;
      var url = form.getAttribute('data-preview');
      if (!url) return;
      var timer = null;
      function values() {
        var v = {};
        form.querySelectorAll('[name^="v."]').forEach(function (el) { v[el.name.slice(2)] = el.value; });
        return v;
      }
      function update() {
        fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
                     body: JSON.stringify({ values: values() }) })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
          .then(function (res) {
            var msg = document.getElementById('live-message');
            if (!res.ok) { msg.textContent = res.j.message || ''; return; }
            msg.textContent = '';
            document.getElementById('live-total').textContent = res.j.total;
            // the grade and the sheet's flags follow the marks too (they went stale beside the total)
            var grade = document.getElementById('live-grade');
            if (grade) grade.textContent = res.j.grade || '—';
            var flags = document.getElementById('live-flags');
            if (flags) {
              flags.textContent = '';
              res.j.flags.forEach(function (f) { var li = document.createElement('li'); li.textContent = f; flags.appendChild(li); });
            }
            var byId = {};
            res.j.items.forEach(function (i) { byId[i.id] = i; });
            document.querySelectorAll('#items tr[data-item]').forEach(function (tr) {
              var i = byId[tr.getAttribute('data-item')];
              if (!i) return;
              tr.querySelector('.pts').textContent = i.points == null ? '—' : i.points;
              tr.querySelector('.why').textContent = i.explanation;
              tr.querySelector('.flag').textContent = i.flag || '';
              tr.className = i.flag ? 'flagged' : '';
            });
          })
          .catch(function () {});
      }
      form.addEventListener('input', function (e) {
        if (!e.target.name || e.target.name.indexOf('v.') !== 0) return;
        clearTimeout(timer);
        timer = setTimeout(update, 300);
      });
      form.addEventListener('change', function (e) {
        if (e.target.tagName === 'SELECT') { clearTimeout(timer); timer = setTimeout(update, 50); }
      });
    })();
    """

    /// The team's grid (`TeamGridView`, issue 17 §1): each row follows the typing with its sheet's
    /// preview (total, grade, flags), is saved through the sheet API with its version when the
    /// focus leaves it or its 保存 is pressed (a refusal — a stale version, a missing reason — is
    /// shown on that row, nothing overwritten), Enter moves down to the same column of the next
    /// row, a digit chooses a grade; 提交全部已填完的行 waits for the saves on their way, then
    /// posts the form. The URLs and the words come from the page.
    static let grid = """
    (function () {
      var form = document.getElementById('grid');
      var table = document.getElementById('grid-table');
      if (!form || !table) return;
      var texts = {};
      document.querySelectorAll('#grid-texts [data-t]').forEach(function (el) { texts[el.getAttribute('data-t')] = el.textContent; });
      var hint = document.getElementById('grid-hint');
      if (hint) hint.hidden = false;
      var rows = Array.prototype.slice.call(table.querySelectorAll('tr.editable'));
      var columns = Array.prototype.map.call(table.querySelectorAll('thead th[data-col]'), function (th) { return th.getAttribute('data-col'); });
      var states = new Map();
      function st(tr) {
        var s = states.get(tr);
        if (!s) { s = { timer: null, dirty: false, saving: null, again: false, seq: 0, note: '', bad: false }; states.set(tr, s); }
        return s;
      }
      function esc(v) { return window.CSS && CSS.escape ? CSS.escape(v) : v; }
      function cell(tr, col) { return tr.querySelector('[name][data-col="' + esc(col) + '"]'); }
      function values(tr) {
        var v = {};
        tr.querySelectorAll('[name][data-col]').forEach(function (el) {
          var col = el.getAttribute('data-col');
          if (col !== 'reason') v[col] = el.value.trim();
        });
        return v;
      }
      function reason(tr) {
        var r = tr.querySelector('[name][data-col="reason"]');
        return r && r.value.trim() ? r.value.trim() : null;
      }
      function label(col) {
        var th = document.getElementById('h-' + col);
        var l = th && th.querySelector('.label');
        return l ? l.textContent : col;
      }
      function completeness(tr) {
        var missing = [];
        tr.querySelectorAll('[data-required]').forEach(function (el) { if (!el.value.trim()) missing.push(label(el.getAttribute('data-col'))); });
        return missing.length ? texts.missing + missing.join(texts.sep) : texts.complete;
      }
      function status(tr, text, bad) {
        var s = tr.querySelector('[data-status]');
        if (!s) return;
        s.textContent = text;
        s.className = bad ? 'error' : '';
      }
      // what the row's last save said (saved, or why not), then whether the row is complete
      function refresh(tr) {
        var s = st(tr);
        status(tr, s.bad ? s.note : (s.note ? s.note + ' · ' : '') + completeness(tr), s.bad);
      }
      function answer(r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }, function () { return { ok: false, j: {} }; }); }
      function post(url, method, body) {
        return fetch(url, { method: method, credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(answer);
      }
      function preview(tr) {
        var s = st(tr);
        var seq = ++s.seq;
        post(tr.getAttribute('data-preview'), 'POST', { values: values(tr) }).then(function (res) {
          if (seq !== s.seq) return;
          if (!res.ok) { status(tr, res.j.message || texts.failed, true); return; }
          tr.querySelector('[data-total]').textContent = res.j.total;
          tr.querySelector('[data-grade]').textContent = res.j.grade || '—';
          // an empty cell says itself that its mark is missing; every other flag once
          var shown = [];
          var own = res.j.items.map(function (i) { return i.flag || ''; }).join('\\n');
          res.j.items.forEach(function (i) {
            if (!i.flag) return;
            var empty = Array.prototype.some.call(tr.querySelectorAll('[name][data-item="' + esc(i.id) + '"]'), function (el) { return !el.value.trim(); });
            if (!empty && shown.indexOf(i.flag) < 0) shown.push(i.flag);
          });
          res.j.flags.forEach(function (f) { if (own.indexOf(f) < 0 && shown.indexOf(f) < 0) shown.push(f); });
          var ul = tr.querySelector('[data-flags]');
          ul.textContent = '';
          shown.forEach(function (f) { var li = document.createElement('li'); li.textContent = f; ul.appendChild(li); });
          refresh(tr);
        }, function () {});
      }
      function save(tr) {
        var s = st(tr);
        if (s.saving) { s.again = true; return s.saving; }
        if (!s.dirty) return Promise.resolve(true);
        s.dirty = false;
        var version = tr.querySelector('[data-version]');
        status(tr, texts.saving, false);
        s.saving = post(tr.getAttribute('data-save'), 'PUT', { version: parseInt(version.value, 10), values: values(tr), reason: reason(tr) })
          .then(function (res) {
            s.saving = null;
            if (!res.ok) {
              s.dirty = true;
              tr.classList.add('refused'); tr.classList.remove('done');
              s.note = texts.failed + (res.j.message || ''); s.bad = true;
              refresh(tr);
              return false;
            }
            version.value = res.j.version;
            tr.classList.remove('refused');
            s.note = texts.saved; s.bad = false;
            refresh(tr);
            if (s.again) { s.again = false; if (s.dirty) return save(tr); }
            return true;
          }, function () {
            s.saving = null; s.dirty = true;
            s.note = texts.failed; s.bad = true;
            refresh(tr);
            return false;
          });
        return s.saving;
      }
      rows.forEach(function (tr) {
        var s = tr.querySelector('[data-status]');
        if (s && !s.textContent) refresh(tr);
      });
      form.addEventListener('focusin', function (e) {
        if (e.target.matches && e.target.matches('input[type=number]') && e.target.select) e.target.select();
      });
      // typed (input) or picked (change: a select, an autofill, a value set by a script)
      function edited(e) {
        var tr = e.target.closest && e.target.closest('tr.editable');
        if (!tr) return;
        var s = st(tr);
        s.dirty = true;
        if (!s.bad) s.note = '';
        if (e.target.getAttribute('data-col') === 'reason') return;
        refresh(tr);
        clearTimeout(s.timer);
        s.timer = setTimeout(function () { preview(tr); }, 250);
      }
      form.addEventListener('input', edited);
      form.addEventListener('change', edited);
      // a row is saved when the focus leaves it
      form.addEventListener('focusout', function (e) {
        var tr = e.target.closest && e.target.closest('tr.editable');
        if (!tr) return;
        if (e.relatedTarget && tr.contains(e.relatedTarget)) return;
        if (st(tr).dirty) save(tr);
      });
      form.addEventListener('click', function (e) {
        var b = e.target.closest && e.target.closest('button[name="action"]');
        if (!b || b.value.indexOf('save:') !== 0) return;
        var tr = b.closest('tr.editable');
        if (!tr) return;
        e.preventDefault();
        st(tr).dirty = true;
        save(tr);
      });
      form.addEventListener('keydown', function (e) {
        var el = e.target;
        if (!el.matches || !el.matches('input[data-col], select[data-col]')) return;
        var tr = el.closest('tr.editable');
        if (!tr) return;
        var col = el.getAttribute('data-col');
        if (e.key === 'Enter') {
          // down to the same column of the next row; after the last row, the next column's first
          e.preventDefault();
          var i = rows.indexOf(tr), next = null, k;
          for (k = i + 1; k < rows.length && !next; k++) next = cell(rows[k], col);
          for (var c = columns.indexOf(col) + 1; c > 0 && c < columns.length && !next; c++) {
            for (k = 0; k < rows.length && !next; k++) next = cell(rows[k], columns[c]);
          }
          if (next) { next.focus(); if (next.select) next.select(); }
          return;
        }
        if (el.tagName === 'SELECT' && /^[1-9]$/.test(e.key)) {
          var n = parseInt(e.key, 10);
          if (n < el.options.length) {
            e.preventDefault();
            el.selectedIndex = n;
            el.dispatchEvent(new Event('input', { bubbles: true }));
            el.dispatchEvent(new Event('change', { bubbles: true }));
          }
        }
      });
      // 提交全部已填完的行: the saves on their way first (each carries its sheet's version)
      var ready = false;
      form.addEventListener('submit', function (e) {
        if (ready) return;
        var pending = rows.map(function (tr) { return st(tr).saving; }).filter(function (p) { return p; });
        if (!pending.length) return;
        e.preventDefault();
        var submitter = e.submitter;
        Promise.all(pending).then(function () {
          ready = true;
          if (form.requestSubmit && submitter) form.requestSubmit(submitter); else form.submit();
        });
      });
    })();
    """

    static func register(_ app: RoutesBuilder) {
        app.get(SiteURL.script.route) { _ -> Response in
            // the sheet's live total, and the QA checklist's live grade (issue 17 §5)
            let res = Response(status: .ok, body: .init(string: sheet + "\n" + QAChecklistView.script + "\n" + grid))
            res.headers.contentType = HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
            res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return res
        }
    }
}
