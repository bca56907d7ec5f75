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

    static func register(_ app: RoutesBuilder) {
        app.get(SiteURL.script.route) { _ -> Response in
            // the sheet's live total, and the QA checklist's live grade (issue 17 §5)
            let res = Response(status: .ok, body: .init(string: sheet + "\n" + QAChecklistView.script))
            res.headers.contentType = HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
            res.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return res
        }
    }
}
