/// The scheme builder's script (`/assets/scheme-builder.js`, `SchemeBuilderView`): it edits the
/// scheme as a JSON document — sections, items added by kind from a palette, each with its own
/// small form (a band table that shows gaps and overlaps as one types, offence lists, a formula
/// field with the metrics to pick from), raters, metrics, grades, pay and outcome policies — and
/// posts it to the server: `preview` (the validator's problems shown at the fields their paths
/// name, a sample employee scored item by item), `convert` (the YAML tab) and `save`.
enum SchemeBuilderScript {
    static let js = #"""
    (function () {
      'use strict';
      var root = document.getElementById('builder');
      if (!root) return;
      var texts = {};
      document.querySelectorAll('#builder-texts [data-t]').forEach(function (el) { texts[el.getAttribute('data-t')] = el.textContent; });
      function T(k, a, b) {
        var s = texts[k] || (k.charAt(1) === '_' ? k.slice(2) : k);
        if (a !== undefined) s = s.replace('{a}', a);
        if (b !== undefined) s = s.replace('{b}', b);
        return s;
      }
      var csrf = root.getAttribute('data-csrf');
      var key = root.getAttribute('data-key') || null;
      var urls = { preview: root.getAttribute('data-preview'), convert: root.getAttribute('data-convert'), save: root.getAttribute('data-save') };
      var editor = document.getElementById('b-editor');
      var yamlPane = document.getElementById('b-yaml-pane');
      var yamlText = document.getElementById('b-yaml');
      var yamlProblems = document.getElementById('b-yaml-problems');
      var side = document.getElementById('b-side');
      var statusEl = document.getElementById('b-status');
      var saveBtn = document.getElementById('b-save');
      var reasonEl = document.getElementById('b-reason');
      var savedEl = document.getElementById('b-saved');
      var doc;
      try { doc = JSON.parse(document.getElementById('builder-json').value); } catch (e) { doc = {}; }
      var values = {};
      var tab = 'visual';
      var problems = [];
      var names = [];
      var dirty = false;
      var timer = null;
      var seq = 0;
      root.hidden = false;
      var nojs = document.getElementById('b-nojs');
      if (nojs) nojs.hidden = true;

      function normalise(d) {
        ['raters', 'metrics', 'derived', 'sections', 'adjustments', 'money', 'grades', 'outcomes'].forEach(function (k) { if (!Array.isArray(d[k])) d[k] = []; });
        d.sections.forEach(function (s) { if (!Array.isArray(s.items)) s.items = []; });
        return d;
      }
      normalise(doc);

      // MARK: small helpers

      function h(tag, attrs, kids) {
        var el = document.createElement(tag);
        if (attrs) Object.keys(attrs).forEach(function (k) {
          var v = attrs[k];
          if (v === null || v === undefined || v === false) return;
          if (k === 'text') el.textContent = v;
          else if (k === 'class') el.className = v;
          else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
          else el.setAttribute(k, v === true ? '' : v);
        });
        (kids || []).forEach(function (c) {
          if (c === null || c === undefined || c === false) return;
          el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
        });
        return el;
      }
      function button(label, onclick, cls, id) {
        return h('button', { type: 'button', class: cls || 'secondary', id: id, onclick: function (e) { e.preventDefault(); onclick(e); } }, [label]);
      }
      function numberOrText(s) {
        var t = s.trim();
        if (t === '') return undefined;
        if (/^-?\d+(\.\d+)?$/.test(t) && String(Number(t)) === t) return Number(t);
        return t;
      }
      function show(v) { return v === undefined || v === null ? '' : String(v); }
      function allItems() {
        var out = [];
        doc.sections.forEach(function (s) { out = out.concat(s.items); });
        return out.concat(doc.adjustments, doc.money);
      }
      function fresh(prefix, taken) {
        var n = 1;
        while (taken.indexOf(prefix + n) >= 0) n++;
        return prefix + n;
      }
      function ids(list) { return list.map(function (x) { return x && x.id; }); }
      function changed() {
        dirty = true;
        clearTimeout(timer);
        timer = setTimeout(check, 450);
      }
      function restructure(focus) {
        render(focus, true);
        changed();
      }

      // A field bound to obj[prop] (obj may be a holder function that makes the object on first write).
      function field(label, obj, prop, path, opts) {
        opts = opts || {};
        var read = typeof obj === 'function' ? obj(false) : obj;
        var cur = read ? read[prop] : undefined;
        var el;
        if (opts.options) {
          el = h('select', { 'data-path': path }, opts.options.map(function (o) {
            return h('option', { value: o[0], selected: show(cur) === o[0] || (cur === undefined && o[0] === '') }, [o[1]]);
          }));
        } else if (opts.type === 'textarea') {
          el = h('textarea', { 'data-path': path, rows: opts.rows || 2, class: 'code', spellcheck: 'false' });
          el.value = show(cur);
        } else if (opts.type === 'checkbox') {
          el = h('input', { type: 'checkbox', 'data-path': path });
          el.checked = cur === true;
        } else {
          el = h('input', { type: 'text', 'data-path': path, placeholder: opts.placeholder, class: opts.cls || (opts.type === 'number' ? 'b-num' : null),
                            inputmode: opts.type === 'number' ? 'decimal' : null, autocomplete: 'off' });
          el.value = show(cur);
        }
        if (opts.readonly) el.setAttribute('readonly', 'readonly');
        el.addEventListener(opts.options || opts.type === 'checkbox' ? 'change' : 'input', function () {
          var target = typeof obj === 'function' ? obj(true) : obj;
          var v;
          if (opts.type === 'checkbox') v = el.checked ? true : undefined;
          else if (opts.options) v = el.value === '' ? undefined : (opts.numeric ? Number(el.value) : el.value);
          else if (opts.type === 'number') v = numberOrText(el.value);
          else if (opts.type === 'int') v = /^\d+$/.test(el.value.trim()) ? parseInt(el.value, 10) : (el.value.trim() === '' ? undefined : el.value.trim());
          else v = el.value === '' && opts.optional ? undefined : el.value;
          if (v === undefined) delete target[prop]; else target[prop] = v;
          if (typeof obj === 'function' && Object.keys(target).length === 0) obj('delete');
          if (opts.after) opts.after(el);
          changed();
        });
        if (opts.bare) return el;
        return h('label', { class: opts.wide ? 'b-field b-wide' : 'b-field' }, [h('span', { text: label }), el]);
      }
      function holder(o, k) {
        return function (mode) {
          if (mode === 'delete') { delete o[k]; return null; }
          if (!o[k] && mode) o[k] = {};
          return o[k] || null;
        };
      }
      function row(kids) { return h('div', { class: 'b-row' }, kids); }
      function card(title, path, kids, cls) {
        return h('fieldset', { class: 'b-card ' + (cls || ''), 'data-path': path }, [h('legend', { text: title }), h('div', { class: 'b-msgs' })].concat(kids));
      }
      function metricOptions(allowEmpty, emptyLabel) {
        var o = [['', emptyLabel || T('chooseMetric')]];
        doc.metrics.concat(doc.derived).forEach(function (m) { o.push([m.id, (m.label || m.id) + '（' + m.id + '）']); });
        return o;
      }
      function metricField(label, it, prop, path, item) {
        var sel = field(label, it, prop, path, { options: metricOptions(true) });
        var add = button(T('newMetric'), function () {
          var id = fresh('m', ids(doc.metrics.concat(doc.derived)));
          doc.metrics.push({ id: id, label: (item && item.label) || T('metric') + ' ' + id, kind: 'number' });
          it[prop] = id;
          restructure('metrics[' + (doc.metrics.length - 1) + '].label');
        }, 'secondary b-small');
        return h('div', { class: 'b-inline' }, [sel, add]);
      }
      function tools(list, i, path) {
        return h('div', { class: 'b-tools' }, [
          i > 0 ? button('↑', function () { var x = list[i]; list[i] = list[i - 1]; list[i - 1] = x; restructure(); }, 'secondary b-small') : null,
          i < list.length - 1 ? button('↓', function () { var x = list[i]; list[i] = list[i + 1]; list[i + 1] = x; restructure(); }, 'secondary b-small') : null,
          button(T('remove'), function () { list.splice(i, 1); restructure(); }, 'secondary b-small b-remove')
        ]);
      }
      // A table of rows, one object each: columns [label, prop, opts].
      function table(list, path, columns, make, addLabel, addId) {
        var head = h('tr', null, columns.map(function (c) { return h('th', { text: c[0] }); }).concat([h('th', { text: '' })]));
        var rows = list.map(function (o, i) {
          var p = path + '[' + i + ']';
          return h('tr', { 'data-path': p }, columns.map(function (c) {
            var opts = Object.assign({ bare: true }, c[2] || {});
            return h('td', { 'data-label': c[0] }, [field(c[0], o, c[1], p + '.' + c[1], opts)]);
          }).concat([h('td', null, [button('×', function () { list.splice(i, 1); restructure(); }, 'secondary b-small b-remove')])]));
        });
        var add = button(addLabel, function () {
          list.push(make());
          restructure(path + '[' + (list.length - 1) + '].' + columns[0][1]);
        }, 'secondary b-small', addId);
        return h('div', { class: 'b-tablebox', 'data-path': path }, [h('table', { class: 'b-table' }, [head].concat(rows)), add]);
      }
      // The keys a form does not show, as JSON in the card (merged back on change).
      function extra(o, covered, path) {
        var rest = {};
        Object.keys(o).forEach(function (k) { if (covered.indexOf(k) < 0) rest[k] = o[k]; });
        var ta = h('textarea', { rows: 3, class: 'code', spellcheck: 'false', 'data-path': path + '.__extra' });
        ta.value = Object.keys(rest).length ? JSON.stringify(rest, null, 1) : '';
        var msg = h('p', { class: 'error b-jsonerr' });
        ta.addEventListener('change', function () {
          var parsed = {};
          if (ta.value.trim() !== '') {
            try { parsed = JSON.parse(ta.value); } catch (e) { msg.textContent = T('badJSON'); return; }
            if (typeof parsed !== 'object' || Array.isArray(parsed) || parsed === null) { msg.textContent = T('badJSON'); return; }
          }
          msg.textContent = '';
          Object.keys(o).forEach(function (k) { if (covered.indexOf(k) < 0) delete o[k]; });
          Object.keys(parsed).forEach(function (k) { if (covered.indexOf(k) < 0) o[k] = parsed[k]; });
          changed();
        });
        return h('details', { class: 'b-extra', open: Object.keys(rest).length ? true : null }, [h('summary', { text: T('otherKeys') }), ta, msg]);
      }
      // A whole object as JSON (kinds without a form of their own).
      function jsonEditor(list, i, path) {
        var ta = h('textarea', { rows: 8, class: 'code', spellcheck: 'false', 'data-path': path + '.__json' });
        ta.value = JSON.stringify(list[i], null, 1);
        var msg = h('p', { class: 'error b-jsonerr' });
        ta.addEventListener('change', function () {
          try { list[i] = JSON.parse(ta.value); msg.textContent = ''; changed(); } catch (e) { msg.textContent = T('badJSON'); }
        });
        return h('div', null, [h('p', { class: 'muted', text: T('asJSON') }), ta, msg]);
      }

      // MARK: item kinds

      var sectionKinds = ['manual', 'deductions', 'banded', 'ratio', 'relative', 'target', 'graded', 'formula', 'per_occurrence'];
      var adjustmentKinds = ['bonus', 'veto', 'formula', 'per_occurrence'];
      var moneyKinds = ['events', 'banded', 'graded', 'formula'];

      function kindName(it, context) {
        if (context === 'adjustment' && it.kind === 'manual') return T('k_bonus');
        return T('k_' + it.kind);
      }

      function newItem(kind, context) {
        var id = fresh('item', ids(allItems()));
        var real = kind === 'bonus' ? 'manual' : kind;
        var it = { id: id, label: T('k_' + kind), kind: real };
        if (context === 'section') it.max = 10;
        if (context === 'adjustment' && real !== 'veto') it.max = 5;
        switch (real) {
          case 'deductions': it.offences = [{ id: 'o1', label: T('offence') + ' 1', points: 1 }]; break;
          case 'events': it.offences = [{ id: 'o1', label: T('offence') + ' 1', amount: -50 }]; break;
          case 'veto': it.effect = 'deduct'; it.offences = [{ id: 'o1', label: T('offence') + ' 1', points: 5 }]; break;
          case 'banded':
            it.metric = '';
            if (context === 'money') { it.mode = 'amount'; it.bands = [{ min: 0, value: 0 }]; } else { it.mode = 'points'; it.bands = [{ min: 0, value: 10 }]; }
            break;
          case 'ratio': it.metric = ''; break;
          case 'relative': it.metric = ''; it.average = 'group'; it.direction = 'below'; it.per = 1; it.points = 1; break;
          case 'target': it.metric = ''; it.target = '100'; it.at_target = 8; it.above = { per: 1, points: 1, limit: 10 }; it.below = { per: 1, points: 1, limit: 0 }; break;
          case 'graded':
            it.count = 'single';
            it.grades = context === 'money'
              ? [{ id: 'a', label: T('gradeA'), amount: 100 }, { id: 'b', label: T('gradeB'), amount: 0 }]
              : [{ id: 'a', label: T('gradeA'), points: 10 }, { id: 'b', label: T('gradeB'), points: 6 }, { id: 'c', label: T('gradeC'), points: 0 }];
            break;
          case 'formula': it.formula = ''; break;
          case 'per_occurrence': it.points = 1; it.direction = context === 'adjustment' ? 'add' : 'deduct'; break;
        }
        return it;
      }

      function palette(kinds, list, context, path, idPrefix) {
        return h('div', { class: 'b-palette' }, [h('span', { class: 'muted', text: T('addItem') })].concat(kinds.map(function (k) {
          return button('＋ ' + T('k_' + k), function () {
            list.push(newItem(k, context));
            restructure(path + '[' + (list.length - 1) + '].label');
          }, 'secondary b-small', idPrefix + '-' + k);
        })));
      }

      function offencesTable(it, p, money) {
        var cols = [[T('offenceName'), 'label', { cls: 'b-wide' }], [T('id'), 'id', { cls: 'b-id' }]];
        if (money) cols.push([T('amountEach'), 'amount', { type: 'number' }]); else cols.push([T('pointsEach'), 'points', { type: 'number' }]);
        if (it.kind !== 'veto') { cols.push([T('repeat'), 'repeat', { type: 'number' }]); cols.push([T('cap'), 'cap', { type: 'number' }]); }
        return table(it.offences, p + '.offences', cols, function () {
          var o = { id: fresh('o', ids(it.offences)), label: T('offence') + ' ' + (it.offences.length + 1) };
          if (money) o.amount = -50; else o.points = 1;
          return o;
        }, T('addOffence'), null);
      }

      function bandIssues(bands) {
        function num(v, dflt) { if (v === undefined || v === null || v === '') return dflt; var n = Number(v); return isNaN(n) ? dflt : n; }
        var out = [];
        var list = bands.map(function (b, i) { return { i: i, lo: num(b.min, -Infinity), hi: num(b.max, Infinity) }; });
        list.forEach(function (b) { if (b.lo > b.hi) out.push({ row: b.i, kind: 'overlap', text: T('bandOrder', b.i + 1) }); });
        list.sort(function (a, b) { return a.lo - b.lo || a.hi - b.hi; });
        for (var k = 1; k < list.length; k++) {
          var prev = list[k - 1], cur = list[k];
          if (cur.lo < prev.hi) out.push({ row: cur.i, kind: 'overlap', text: T('bandOverlap', cur.i + 1, prev.i + 1) });
          else if (cur.lo > prev.hi) out.push({ row: cur.i, kind: 'gap', text: T('bandGap', show(prev.hi), show(cur.lo)) });
        }
        return out;
      }
      function bandsEditor(it, p, money) {
        var box = table(it.bands, p + '.bands', [[T('bandMin'), 'min', { type: 'number' }], [T('bandMax'), 'max', { type: 'number' }],
          [money ? T('amount') : (it.mode === 'deduction' ? T('deduct') : T('points')), 'value', { type: 'number' }], [T('bandLabel'), 'label', { optional: true }]],
          function () {
            var last = it.bands[it.bands.length - 1];
            return { min: last && last.max !== undefined ? last.max : undefined, value: 0 };
          }, T('addBand'), null);
        var status = h('p', { class: 'b-bandcheck', 'aria-live': 'polite' });
        function refresh() {
          var issues = bandIssues(it.bands);
          var trs = box.querySelectorAll('tr[data-path]');
          trs.forEach(function (tr) { tr.classList.remove('b-gap'); tr.classList.remove('b-overlap'); });
          status.textContent = '';
          issues.forEach(function (x) {
            if (trs[x.row]) trs[x.row].classList.add(x.kind === 'gap' ? 'b-gap' : 'b-overlap');
            status.appendChild(h('span', { class: x.kind === 'gap' ? 'b-warn' : 'error', text: x.text }));
          });
          if (!issues.length && it.bands.length) status.appendChild(h('span', { class: 'b-ok', text: T('bandsOK') }));
        }
        box.addEventListener('input', refresh);
        box.appendChild(status);
        refresh();
        return box;
      }

      function formulaEditor(it, p, prop) {
        var ta = field(T('formula'), it, prop, p + '.' + prop, { type: 'textarea', wide: true });
        var area = ta.querySelector('textarea');
        var pick = h('div', { class: 'b-names' }, [h('span', { class: 'muted', text: T('names') })].concat(doc.metrics.concat(doc.derived).map(function (m) {
          return button(m.label || m.id, function () {
            var s = area.selectionStart || area.value.length, e = area.selectionEnd || area.value.length;
            area.value = area.value.slice(0, s) + m.id + area.value.slice(e);
            area.focus();
            area.selectionStart = area.selectionEnd = s + m.id.length;
            area.dispatchEvent(new Event('input', { bubbles: true }));
          }, 'secondary b-small');
        })).concat([h('span', { class: 'muted', text: T('operators') })]));
        return h('div', null, [ta, pick]);
      }

      function itemForm(list, i, p, context) {
        var it = list[i];
        var money = context === 'money';
        switch (it.kind) {
          case 'manual':
            return doc.raters.length ? h('div', { class: 'b-raters', 'data-path': p + '.raters' }, [h('span', { class: 'muted', text: T('itemRaters') })].concat(doc.raters.map(function (r) {
              var on = !it.raters || it.raters.indexOf(r.id) >= 0;
              var cb = h('input', { type: 'checkbox' });
              cb.checked = on;
              cb.addEventListener('change', function () {
                var chosen = doc.raters.filter(function (x) { return x.id === r.id ? cb.checked : (!it.raters || it.raters.indexOf(x.id) >= 0); }).map(function (x) { return x.id; });
                if (chosen.length === doc.raters.length) delete it.raters; else it.raters = chosen;
                changed();
              });
              return h('label', { class: 'b-check' }, [cb, ' ' + (r.label || r.id)]);
            }))) : h('p', { class: 'muted', text: T('manualHint') });
          case 'deductions':
            return h('div', null, [offencesTable(it, p, false), row([
              field(T('other'), it, 'other', p + '.other', { type: 'checkbox' }),
              field(T('floor'), it, 'floor', p + '.floor', { type: 'number' })])]);
          case 'events':
            return offencesTable(it, p, true);
          case 'veto':
            return h('div', null, [row([field(T('effect'), it, 'effect', p + '.effect', { options: [['deduct', T('e_deduct')], ['zero', T('e_zero')], ['flag', T('e_flag')]] })]),
              offencesTable(it, p, false)]);
          case 'banded':
            return h('div', null, [row([metricField(T('metric'), it, 'metric', p + '.metric', it),
              money ? null : field(T('mode'), it, 'mode', p + '.mode', { options: [['points', T('m_points')], ['deduction', T('m_deduction')]], after: function () { render(p + '.mode'); } }),
              field(T('boundary'), it, 'boundary', p + '.boundary', { options: [['', T('b_scheme')], ['better', T('b_better')], ['worse', T('b_worse')], ['lower', T('b_lower')], ['upper', T('b_upper')]] })]),
              bandsEditor(it, p, money)]);
          case 'ratio':
            return row([metricField(T('rateMetric'), it, 'metric', p + '.metric', it)]);
          case 'relative':
            return h('div', null, [row([metricField(T('metric'), it, 'metric', p + '.metric', it),
              field(T('average'), it, 'average', p + '.average', { options: [['group', T('groupAverage')]].concat(metricOptions().slice(1)) }),
              field(T('direction'), it, 'direction', p + '.direction', { options: [['below', T('d_below')], ['above', T('d_above')]] })]),
              row([field(T('per'), it, 'per', p + '.per', { type: 'number' }), field(T('pointsPerStep'), it, 'points', p + '.points', { type: 'number' }),
                field(T('steps'), it, 'steps', p + '.steps', { options: [['', T('s_whole')], ['continuous', T('s_continuous')]] }),
                field(T('floor'), it, 'floor', p + '.floor', { type: 'number' })])]);
          case 'target':
            return h('div', null, [row([metricField(T('metric'), it, 'metric', p + '.metric', it),
              field(T('target'), it, 'target', p + '.target', { placeholder: T('targetHint') }),
              field(T('lower'), it, 'lower', p + '.lower', { optional: true }),
              field(T('atTarget'), it, 'at_target', p + '.at_target', { type: 'number' })]),
              row([h('strong', { text: T('above') }), field(T('per'), holder(it, 'above'), 'per', p + '.above.per', { type: 'number' }),
                field(T('pointsPerStep'), holder(it, 'above'), 'points', p + '.above.points', { type: 'number' }),
                field(T('limitAbove'), holder(it, 'above'), 'limit', p + '.above.limit', { type: 'number' })]),
              row([h('strong', { text: T('below') }), field(T('per'), holder(it, 'below'), 'per', p + '.below.per', { type: 'number' }),
                field(T('pointsPerStep'), holder(it, 'below'), 'points', p + '.below.points', { type: 'number' }),
                field(T('limitBelow'), holder(it, 'below'), 'limit', p + '.below.limit', { type: 'number' }),
                field(T('steps'), it, 'steps', p + '.steps', { options: [['', T('s_whole')], ['continuous', T('s_continuous')]] })])]);
          case 'graded':
            if (!Array.isArray(it.grades)) it.grades = [];
            return h('div', null, [row([field(T('count'), it, 'count', p + '.count', { options: [['single', T('c_single')], ['multiple', T('c_multiple')]], after: function () { render(p + '.count'); } }),
              it.count === 'multiple' ? field(T('aggregate'), it, 'aggregate', p + '.aggregate', { options: [['', T('a_sum')], ['average', T('a_average')]] }) : null,
              it.count === 'multiple' ? field(T('expected'), it, 'expected', p + '.expected', { type: 'int' }) : null]),
              table(it.grades, p + '.grades', [[T('gradeLabel'), 'label'], [T('id'), 'id', { cls: 'b-id' }], [money ? T('amount') : T('points'), money ? 'amount' : 'points', { type: 'number' }],
                [T('cancels'), 'cancels', { type: 'checkbox' }]], function () { return { id: fresh('g', ids(it.grades)), label: '', points: 0 }; }, T('addGrade'), null),
              it.checklist ? h('p', { class: 'muted', text: T('checklistInYAML') }) : null]);
          case 'formula':
            if (!Array.isArray(it.gate)) it.gate = [];
            return h('div', null, [formulaEditor(it, p, 'formula'),
              h('p', { class: 'muted', text: T('gates') }),
              table(it.gate, p + '.gate', [[T('gateLabel'), 'label', { cls: 'b-wide' }], [T('condition'), 'condition', { cls: 'b-wide' }]],
                function () { return { label: '', condition: '' }; }, T('addGate'), null)]);
          case 'per_occurrence':
            return row([field(T('countMetric'), it, 'metric', p + '.metric', { options: metricOptions(true, T('ownColumn')) }),
              field(T('pointsEach'), it, 'points', p + '.points', { type: 'number' }),
              field(T('direction'), it, 'direction', p + '.direction', { options: [['deduct', T('o_deduct')], ['add', T('o_add')]] }),
              field(T('floor'), it, 'floor', p + '.floor', { type: 'number' })]);
          default:
            return jsonEditor(list, i, p);
        }
      }

      function itemCard(list, i, base, context) {
        var it = list[i];
        var p = base + '[' + i + ']';
        var known = sectionKinds.concat(['veto', 'events']).indexOf(it.kind) >= 0;
        return h('div', { class: 'b-item', 'data-path': p, 'data-kind': it.kind }, [
          h('div', { class: 'b-itemhead' }, [h('span', { class: 'badge', text: kindName(it, context) }), tools(list, i, p)]),
          h('div', { class: 'b-msgs' }),
          known ? row([field(T('itemLabel'), it, 'label', p + '.label', { cls: 'b-wide' }), field(T('id'), it, 'id', p + '.id', { cls: 'b-id' }),
            context === 'money' ? null : field(context === 'section' ? T('itemMax') : T('itemCap'), it, 'max', p + '.max', { type: 'number' }),
            context === 'adjustment' ? field(T('itemMin'), it, 'min', p + '.min', { type: 'number' }) : null,
            field(T('description'), it, 'description', p + '.description', { optional: true, cls: 'b-wide' })]) : null,
          itemForm(list, i, p, context)
        ]);
      }

      // MARK: the cards

      function basics() {
        return card(T('basics'), '', [row([
          field(T('schemeName'), doc, 'name', 'name', { cls: 'b-wide' }),
          field(T('schemeId'), doc, 'id', 'id', { cls: 'b-id', readonly: !!key, placeholder: 'my-scheme' }),
          field(T('period'), doc, 'period', 'period', { options: [['month', T('p_month')], ['week', T('p_week')], ['quarter', T('p_quarter')], ['half-year', T('p_halfyear')], ['year', T('p_year')]] }),
          field(T('fullMarks'), doc, 'max', 'max', { type: 'number' }),
          field(T('boundary'), doc, 'boundary', 'boundary', { options: [['better', T('b_better')], ['worse', T('b_worse')], ['lower', T('b_lower')], ['upper', T('b_upper')]] }),
          field(T('floorTotal'), doc, 'floor', 'floor', { type: 'number' }),
          field(T('capTotal'), doc, 'cap', 'cap', { type: 'number' })]),
          field(T('description'), doc, 'description', 'description', { optional: true, type: 'textarea', wide: true })], 'b-basics');
      }

      function ratersCard() {
        var sumEl = h('p', { id: 'b-weight-sum' });
        function sum() {
          var total = doc.raters.reduce(function (a, r) { return a + (Number(r.weight) || 0); }, 0);
          sumEl.className = Math.abs(total - 1) < 1e-9 ? 'b-ok' : 'b-warn';
          sumEl.textContent = doc.raters.length ? T('weightSum', Math.round(total * 10000) / 100 + '%') : '';
        }
        sum();
        return card(T('raters'), 'raters', [h('p', { class: 'muted', text: T('ratersHint') }),
          table(doc.raters, 'raters', [[T('raterLabel'), 'label'], [T('id'), 'id', { cls: 'b-id' }], [T('weight'), 'weight', { type: 'number', after: sum }]],
            function () { return { id: fresh('r', ids(doc.raters)), label: T('rater') + ' ' + (doc.raters.length + 1), weight: doc.raters.length ? 0 : 1 }; }, T('addRater'), 'b-add-rater'),
          sumEl,
          doc.raters.length > 1 ? row([field(T('raterMissing'), doc, 'rater_missing', 'rater_missing', { options: [['', T('rm_wait')], ['respread', T('rm_respread')]] })]) : null]);
      }

      function metricsCard() {
        var kinds = { options: [['number', T('v_number')], ['percent', T('v_percent')], ['count', T('v_count')], ['money', T('v_money')]] };
        return card(T('metrics'), 'metrics', [h('p', { class: 'muted', text: T('metricsHint') }),
          table(doc.metrics, 'metrics', [[T('metricLabel'), 'label', { cls: 'b-wide' }], [T('id'), 'id', { cls: 'b-id' }], [T('valueKind'), 'kind', kinds],
            [T('unit'), 'unit', { optional: true, cls: 'b-id' }], [T('min'), 'min', { type: 'number' }], [T('max'), 'max', { type: 'number' }], [T('whenEmpty'), 'default', { type: 'number' }]],
            function () { return { id: fresh('m', ids(doc.metrics.concat(doc.derived))), label: '', kind: 'number' }; }, T('addMetric'), 'b-add-metric'),
          h('h4', { text: T('derived') }),
          table(doc.derived, 'derived', [[T('metricLabel'), 'label', { cls: 'b-wide' }], [T('id'), 'id', { cls: 'b-id' }], [T('valueKind'), 'kind', kinds],
            [T('unit'), 'unit', { optional: true, cls: 'b-id' }], [T('formula'), 'formula', { cls: 'b-wide' }]],
            function () { return { id: fresh('d', ids(doc.metrics.concat(doc.derived))), label: '', kind: 'number', formula: '' }; }, T('addDerived'), 'b-add-derived')]);
      }

      function sectionCard(s, si) {
        var p = 'sections[' + si + ']';
        var sumEl = h('p');
        function sum() {
          var itemSum = s.items.reduce(function (a, it) { return a + (Number(it.max) || 0); }, 0);
          sumEl.className = itemSum === Number(s.max) ? 'muted' : 'b-warn';
          sumEl.textContent = T('itemSum', itemSum, show(s.max));
        }
        sum();
        return card(T('section') + ' ' + (si + 1) + (s.label ? '：' + s.label : ''), p, [
          h('div', { class: 'b-itemhead' }, [h('span'), tools(doc.sections, si, p)]),
          row([field(T('sectionLabel'), s, 'label', p + '.label', { cls: 'b-wide' }), field(T('id'), s, 'id', p + '.id', { cls: 'b-id' }),
            field(T('sectionMax'), s, 'max', p + '.max', { type: 'number', after: sum }),
            field(T('weight'), s, 'weight', p + '.weight', { type: 'number', placeholder: T('weightHint') })]),
          sumEl,
          h('div', { class: 'b-items', oninput: sum }, s.items.map(function (it, ii) { return itemCard(s.items, ii, p + '.items', 'section'); })),
          palette(sectionKinds, s.items, 'section', p + '.items', 'b-add-' + si)
        ], 'b-section');
      }

      function adjustmentsCard() {
        return card(T('adjustments'), 'adjustments', [h('p', { class: 'muted', text: T('adjustmentsHint') }),
          h('div', { class: 'b-items' }, doc.adjustments.map(function (it, i) { return itemCard(doc.adjustments, i, 'adjustments', 'adjustment'); })),
          palette(adjustmentKinds, doc.adjustments, 'adjustment', 'adjustments', 'b-add-adj')]);
      }

      function moneyCard() {
        return card(T('money'), 'money', [h('p', { class: 'muted', text: T('moneyHint') }),
          h('div', { class: 'b-items' }, doc.money.map(function (it, i) { return itemCard(doc.money, i, 'money', 'money'); })),
          palette(moneyKinds, doc.money, 'money', 'money', 'b-add-money')]);
      }

      function gradesCard() {
        return card(T('grades'), 'grades', [h('p', { class: 'muted', text: T('gradesHint') }),
          table(doc.grades, 'grades', [[T('gradeLabel'), 'label'], [T('gradeMin'), 'min', { type: 'number' }]],
            function () { return { label: '' }; }, T('addGrade'), 'b-add-grade')]);
      }

      function payCard() {
        if (!doc.pay) {
          return card(T('pay'), 'pay', [h('p', { class: 'muted', text: T('payHint') }),
            button(T('addPay'), function () { doc.pay = { base: '', bands: [{ min: 90, paid: 'base', label: T('payFull') }, { max: 90, paid: 'base * score / 100', label: T('payShare') }] }; restructure('pay.base'); }, 'secondary', 'b-add-pay')]);
        }
        var pay = doc.pay;
        if (!Array.isArray(pay.bands)) pay.bands = [];
        if (!Array.isArray(pay.gate)) pay.gate = [];
        return card(T('pay'), 'pay', [
          row([field(T('payLabel'), pay, 'label', 'pay.label', { optional: true }), field(T('payBase'), pay, 'base', 'pay.base', { cls: 'b-wide', placeholder: T('payBaseHint') })]),
          table(pay.bands, 'pay.bands', [[T('scoreMin'), 'min', { type: 'number' }], [T('scoreMax'), 'max', { type: 'number' }], [T('paid'), 'paid', { cls: 'b-wide' }], [T('bandLabel'), 'label', { optional: true }]],
            function () { return { paid: '0' }; }, T('addBand'), null),
          h('p', { class: 'muted', text: T('payGates') }),
          table(pay.gate, 'pay.gate', [[T('gateLabel'), 'label', { cls: 'b-wide' }], [T('condition'), 'condition', { cls: 'b-wide' }]],
            function () { return { label: '', condition: '' }; }, T('addGate'), null),
          button(T('removePay'), function () { delete doc.pay; restructure(); }, 'secondary b-small b-remove')]);
      }

      var outcomeKinds = ['ranking', 'level', 'star', 'not_assessed', 'other'];
      function newOutcome(kind) {
        switch (kind) {
          case 'ranking': return { kind: 'ranking', label: T('o_ranking'), by: 'total', outcome: fresh('rank', ids(doc.outcomes.map(function (o) { return { id: o.outcome }; }))), rewards: [{ place: 'first', amount: 100, label: T('firstPlace') }] };
          case 'level': return { kind: 'level', label: T('o_level'), window: 3, levels: [{ label: T('levelTop'), min: 95, bonus: 100 }, { label: T('levelMid'), min: 85, bonus: 50 }, { label: T('levelBase') }] };
          case 'star': return { kind: 'star', label: T('o_star'), stars: [{ stars: 5, label: T('fiveStars'), min: 90, months: 3, quota: 0.1 }, { stars: 3, label: T('threeStars'), min: 80, months: 3 }] };
          case 'not_assessed': return { kind: 'not_assessed', label: T('o_not_assessed'), condition: '' };
          default: return { kind: 'note', label: '' };
        }
      }
      function scopeFields(o, p) {
        return row([field(T('appliesTo'), o, 'applies_to', p + '.applies_to', { optional: true, cls: 'b-wide' }),
          field(T('excludeMonths'), o, 'exclude_months', p + '.exclude_months', { optional: true, cls: 'b-wide' })]);
      }
      function outcomeCard(o, i) {
        var p = 'outcomes[' + i + ']';
        var head = h('div', { class: 'b-itemhead' }, [h('span', { class: 'badge', text: T('o_' + o.kind) }), tools(doc.outcomes, i, p)]);
        var label = field(T('outcomeLabel'), o, 'label', p + '.label', { optional: true, cls: 'b-wide' });
        var byOptions = [['total', T('byTotal')]].concat(metricOptions().slice(1));
        var body;
        switch (o.kind) {
          case 'ranking':
            if (!Array.isArray(o.rewards)) o.rewards = [];
            body = [row([label, field(T('rankBy'), o, 'by', p + '.by', { options: byOptions }),
              field(T('order'), o, 'order', p + '.order', { options: [['', T('desc')], ['asc', T('asc')]] }),
              field(T('group'), o, 'group', p + '.group', { options: [['', T('g_all')], ['team', T('g_team')]] }),
              field(T('outcomeId'), o, 'outcome', p + '.outcome', { optional: true, cls: 'b-id' })]),
              table(o.rewards, p + '.rewards', [[T('place'), 'place', { placeholder: 'first / last / 2' }], [T('amountYuan'), 'amount', { type: 'number' }],
                [T('condition'), 'condition', { optional: true, cls: 'b-wide' }], [T('rewardLabel'), 'label', { optional: true }]],
                function () { return { place: 'last', amount: -50 }; }, T('addReward'), null),
              scopeFields(o, p), extra(o, ['kind', 'label', 'rule', 'by', 'order', 'group', 'outcome', 'rewards', 'applies_to', 'exclude_months'], p)];
            break;
          case 'level':
            if (!Array.isArray(o.levels)) o.levels = [];
            body = [row([label, field(T('window'), o, 'window', p + '.window', { type: 'int' })]),
              table(o.levels, p + '.levels', [[T('levelLabel'), 'label'], [T('levelMin'), 'min', { type: 'number' }], [T('bonus'), 'bonus', { type: 'number' }],
                [T('itemsMin'), 'items_min', { type: 'number' }], [T('condition'), 'condition', { optional: true, cls: 'b-wide' }]],
                function () { return { label: '' }; }, T('addLevel'), null),
              scopeFields(o, p), extra(o, ['kind', 'label', 'rule', 'window', 'levels', 'applies_to', 'exclude_months'], p)];
            break;
          case 'star':
            if (!Array.isArray(o.stars)) o.stars = [];
            body = [row([label, field(T('quotaCompare'), o, 'quota_compare', p + '.quota_compare', { options: [['', T('q_strict')], ['at_most', T('q_at_most')]] }),
              field(T('quotaRounding'), o, 'quota_rounding', p + '.quota_rounding', { options: [['', T('r_floor')], ['round', T('r_round')], ['ceil', T('r_ceil')]] }),
              field(T('quotaTies'), o, 'quota_ties', p + '.quota_ties', { options: [['', T('t_exclude')], ['include', T('t_include')]] })]),
              table(o.stars, p + '.stars', [[T('stars'), 'stars', { type: 'int' }], [T('levelLabel'), 'label'], [T('levelMin'), 'min', { type: 'number' }], [T('months'), 'months', { type: 'int' }],
                [T('itemsMin'), 'items_min', { type: 'number' }], [T('quota'), 'quota', { type: 'number' }], [T('condition'), 'condition', { optional: true, cls: 'b-wide' }]],
                function () { return { stars: 1, label: '', min: 60 }; }, T('addStar'), null),
              scopeFields(o, p), extra(o, ['kind', 'label', 'rule', 'stars', 'quota_compare', 'quota_rounding', 'quota_ties', 'applies_to', 'exclude_months'], p)];
            break;
          case 'not_assessed':
            body = [row([label, field(T('condition'), o, 'condition', p + '.condition', { cls: 'b-wide' }), field(T('reason'), o, 'reason', p + '.reason', { optional: true, cls: 'b-wide' })]),
              extra(o, ['kind', 'label', 'rule', 'condition', 'reason'], p)];
            break;
          default:
            body = [jsonEditor(doc.outcomes, i, p)];
        }
        return h('div', { class: 'b-item', 'data-path': p }, [head, h('div', { class: 'b-msgs' })].concat(body));
      }
      function outcomesCard() {
        return card(T('outcomes'), 'outcomes', [h('p', { class: 'muted', text: T('outcomesHint') }),
          h('div', { class: 'b-items' }, doc.outcomes.map(outcomeCard)),
          h('div', { class: 'b-palette' }, [h('span', { class: 'muted', text: T('addOutcome') })].concat(outcomeKinds.map(function (k) {
            return button('＋ ' + T('o_' + k), function () { doc.outcomes.push(newOutcome(k)); restructure('outcomes[' + (doc.outcomes.length - 1) + '].label'); }, 'secondary b-small', 'b-add-outcome-' + k);
          })))]);
      }

      function render(focus, select) {
        var active = document.activeElement;
        var keep = focus || (active && editor.contains(active) ? active.getAttribute('data-path') : null);
        editor.textContent = '';
        editor.appendChild(basics());
        editor.appendChild(ratersCard());
        editor.appendChild(metricsCard());
        doc.sections.forEach(function (s, i) { editor.appendChild(sectionCard(s, i)); });
        editor.appendChild(h('p', null, [button('＋ ' + T('addSection'), function () {
          var n = doc.sections.length;
          doc.sections.push({ id: fresh('s', ids(doc.sections)), label: T('section') + ' ' + (n + 1), max: n === 0 ? (Number(doc.max) || 100) : 10, items: [] });
          restructure('sections[' + n + '].label');
        }, '', 'b-add-section')]));
        editor.appendChild(adjustmentsCard());
        editor.appendChild(moneyCard());
        editor.appendChild(gradesCard());
        editor.appendChild(payCard());
        editor.appendChild(outcomesCard());
        placeProblems();
        if (keep) {
          var f = editor.querySelector('[data-path="' + keep.replace(/["\\]/g, '\\$&') + '"]');
          if (f && f.focus) {
            f.focus();
            if (select && f.select) f.select();
            else if (f.type === 'text' && f.setSelectionRange) f.setSelectionRange(f.value.length, f.value.length);
          }
        }
      }

      // MARK: problems at their fields

      function findPath(path) {
        var p = path;
        for (;;) {
          var el = editor.querySelector('[data-path="' + p.replace(/["\\]/g, '\\$&') + '"]');
          if (el) return el;
          var m = p.match(/^(.*?)(\.[^.\[\]]+|\[\d+\])$/);
          if (!m || m[1] === p) return p === '' ? null : editor.querySelector('[data-path=""]');
          p = m[1];
        }
      }
      function problemText(pr) {
        return (pr.severity === 'error' ? T('error') : T('warning')) + '：' + pr.message + (pr.rules && pr.rules.length ? '（' + pr.rules.join('、') + '）' : '');
      }
      function placeProblems() {
        editor.querySelectorAll('.b-problem').forEach(function (el) { el.remove(); });
        editor.querySelectorAll('.b-bad').forEach(function (el) { el.classList.remove('b-bad'); el.removeAttribute('aria-invalid'); });
        problems.forEach(function (pr) {
          var el = findPath(pr.path);
          if (!el) return;
          var msg = h('p', { class: 'b-problem ' + (pr.severity === 'error' ? 'b-err' : 'b-warnmsg'), 'data-for': pr.path, text: problemText(pr) });
          if (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA') {
            el.classList.add('b-bad');
            el.setAttribute('aria-invalid', 'true');
            var holderEl = el.closest('td') || el.closest('label') || el;
            if (holderEl.tagName === 'TD') holderEl.appendChild(msg); else holderEl.parentNode.insertBefore(msg, holderEl.nextSibling);
          } else if (el.tagName === 'TR') {
            el.classList.add('b-bad');
            var tr = h('tr', { class: 'b-problem' }, [h('td', { colspan: String(el.children.length) }, [msg])]);
            el.parentNode.insertBefore(tr, el.nextSibling);
          } else {
            var box = el.querySelector('.b-msgs') || el;
            box.appendChild(msg);
          }
        });
      }
      function listProblems() {
        var list = document.getElementById('b-problems');
        list.textContent = '';
        problems.forEach(function (pr) {
          var li = h('li', { class: pr.severity === 'error' ? 'error' : 'b-warn' }, [
            h('code', { text: pr.path || T('wholeScheme') }), pr.line ? ' ' + T('line', pr.line) : '', ' ', problemText(pr)]);
          li.addEventListener('click', function () {
            if (tab !== 'visual') return;
            var el = findPath(pr.path);
            if (el) { el.scrollIntoView({ block: 'center' }); if (el.focus) el.focus(); }
          });
          list.appendChild(li);
        });
        yamlProblems.textContent = '';
        if (tab === 'yaml') problems.forEach(function (pr) {
          yamlProblems.appendChild(h('li', { class: pr.severity === 'error' ? 'error' : 'b-warn' }, [pr.line ? T('line', pr.line) + ' ' : '', h('code', { text: pr.path }), ' ', problemText(pr)]));
        });
      }

      // MARK: the server

      function post(url, body) {
        body._csrf = csrf;
        return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: JSON.stringify(body) })
          .then(function (r) {
            return r.text().then(function (t) { var j = null; try { j = JSON.parse(t); } catch (e) { j = null; } return { ok: r.ok, status: r.status, j: j }; });
          });
      }
      function payload(extraKeys) {
        var b = { key: key, values: values };
        if (tab === 'yaml') b.yaml = yamlText.value; else b.document = JSON.stringify(doc);
        Object.keys(extraKeys || {}).forEach(function (k) { b[k] = extraKeys[k]; });
        return b;
      }
      function failure(res) {
        return (res.j && (res.j.message || res.j.reason)) || T('failed', res.status);
      }

      function check() {
        var my = ++seq;
        statusEl.textContent = T('checking');
        statusEl.className = 'muted';
        post(urls.preview, payload()).then(function (res) {
          if (my !== seq) return;
          if (!res.ok || !res.j) { statusEl.textContent = failure(res); statusEl.className = 'error'; return; }
          problems = res.j.problems || [];
          names = res.j.names || [];
          if (tab === 'visual') placeProblems();
          listProblems();
          showPreview(res.j);
        }).catch(function () { if (my === seq) { statusEl.textContent = T('offline'); statusEl.className = 'error'; } });
      }

      var inputsKey = '';
      function showPreview(j) {
        // a hint (提示) listed below is said above too: never "no errors or warnings" alone over it
        var infos = (j.problems || []).filter(function (p) { return p.severity === 'info'; }).length;
        statusEl.textContent = j.errors ? T('hasErrors', j.errors, j.warnings) : (j.warnings ? T('onlyWarnings', j.warnings) : (infos ? T('onlyInfos', infos) : T('valid')));
        statusEl.className = j.errors ? 'error' : (j.warnings ? 'b-warn' : 'b-ok');
        var maxEl = document.getElementById('b-max');
        maxEl.textContent = j.attainableMax ? T('attainable', j.attainableMax, j.declaredMax || '—') : '';
        maxEl.className = j.attainableMax && j.declaredMax && Number(j.attainableMax) !== Number(j.declaredMax) ? 'b-warn' : '';
        var pv = j.preview;
        var itemsBox = document.getElementById('b-items');
        var inputsBox = document.getElementById('b-inputs');
        var totalEl = document.getElementById('b-total');
        itemsBox.textContent = '';
        totalEl.textContent = '';
        if (!pv) {
          inputsBox.textContent = '';
          inputsKey = '';
          itemsBox.appendChild(h('p', { class: 'muted', text: j.errors ? T('fixFirst') : '' }));
          return;
        }
        var k = pv.inputs.map(function (i) { return i.column; }).join('|');
        if (k !== inputsKey) {
          inputsKey = k;
          inputsBox.textContent = '';
          if (pv.inputs.length) {
            inputsBox.appendChild(h('table', { class: 'b-table b-sample' }, [h('tr', null, [h('th', { text: T('input') }), h('th', { text: T('value') })])].concat(pv.inputs.map(function (i) {
              var inp = h('input', { type: 'text', class: 'b-num', 'data-column': i.column, placeholder: i.sample, inputmode: i.grades.length ? null : 'decimal',
                                     'aria-label': i.label, autocomplete: 'off' });
              inp.value = values[i.column] || '';
              inp.addEventListener('input', function () { if (inp.value.trim() === '') delete values[i.column]; else values[i.column] = inp.value; clearTimeout(timer); timer = setTimeout(check, 350); });
              var range = i.grades.length ? i.grades.join(' / ') : [i.min, i.max].filter(function (x) { return x !== null && x !== undefined; }).join(' – ');
              return h('tr', null, [h('td', null, [h('span', { text: i.label }), h('br'), h('small', { class: 'muted', text: i.column + (range ? ' · ' + range : '') })]), h('td', null, [inp])]);
            }))));
          }
        }
        if (pv.error) itemsBox.appendChild(h('p', { class: 'error', text: pv.error }));
        if (pv.items.length) {
          itemsBox.appendChild(h('table', { class: 'b-table b-result' }, [h('tr', null, [h('th', { text: T('item') }), h('th', { text: T('points') }), h('th', { text: T('why') })])].concat(pv.items.map(function (it) {
            return h('tr', { class: it.flag ? 'flagged' : '', 'data-item': it.id }, [h('td', { text: it.label }),
              h('td', { class: 'num', text: (it.points === null || it.points === undefined ? '—' : it.points) + (it.max ? ' / ' + it.max : '') }),
              h('td', null, [h('span', { class: 'why', text: it.explanation }), it.flag ? h('p', { class: 'flag error', text: it.flag }) : null])]);
          }))));
        }
        pv.money.forEach(function (m) { itemsBox.appendChild(h('p', null, [h('strong', { text: m.label + ' ' + m.amount + ' ' + T('yuan') }), ' ', h('span', { class: 'muted', text: m.explanation })])); });
        if (pv.total !== null && pv.total !== undefined) {
          totalEl.appendChild(h('p', { class: 'totals' }, [T('total') + ' ', h('strong', { id: 'b-total-points', text: pv.total }), ' / ' + pv.max + (pv.grade ? ' · ' + T('grade') + ' ' + pv.grade : '')]));
        }
        if (pv.pay) totalEl.appendChild(h('p', { class: 'muted', text: pv.pay }));
      }

      // MARK: tabs, saving

      var tabVisual = document.getElementById('b-tab-visual'), tabYaml = document.getElementById('b-tab-yaml');
      function switchTo(t) {
        tab = t;
        tabVisual.setAttribute('aria-selected', t === 'visual' ? 'true' : 'false');
        tabYaml.setAttribute('aria-selected', t === 'yaml' ? 'true' : 'false');
        editor.hidden = t !== 'visual';
        yamlPane.hidden = t !== 'yaml';
      }
      tabYaml.addEventListener('click', function () {
        if (tab === 'yaml') return;
        post(urls.convert, { to: 'yaml', document: JSON.stringify(doc) }).then(function (res) {
          if (res.ok && res.j && res.j.text !== null) { yamlText.value = res.j.text; switchTo('yaml'); problems = []; listProblems(); check(); return; }
          problems = (res.j && res.j.problems) || []; placeProblems(); listProblems();
          statusEl.textContent = failure(res); statusEl.className = 'error';
        });
      });
      tabVisual.addEventListener('click', function () {
        if (tab === 'visual') return;
        post(urls.convert, { to: 'json', yaml: yamlText.value }).then(function (res) {
          if (res.ok && res.j && res.j.text) {
            doc = normalise(JSON.parse(res.j.text));
            switchTo('visual'); render(); check(); return;
          }
          problems = (res.j && res.j.problems) || []; listProblems();
          statusEl.textContent = T('yamlFirst'); statusEl.className = 'error';
        });
      });
      yamlText.addEventListener('input', changed);

      saveBtn.addEventListener('click', function (e) {
        e.preventDefault();
        clearTimeout(timer);
        saveBtn.disabled = true;
        savedEl.textContent = T('saving');
        savedEl.className = 'muted';
        post(urls.save, payload({ reason: reasonEl ? reasonEl.value : '' })).then(function (res) {
          saveBtn.disabled = false;
          if (res.status === 201 && res.j) {
            dirty = false;
            if (!key) {
              try { sessionStorage.setItem('kaohe-builder-saved', res.j.message); } catch (x) { /* private mode */ }
              location.href = res.j.url;
              return;
            }
            savedEl.textContent = res.j.message;
            savedEl.className = 'notice ok';
            var v = document.getElementById('b-version');
            if (v) v.textContent = String(res.j.version);
            if (reasonEl) reasonEl.value = '';
            problems = res.j.problems || [];
            if (tab === 'visual') placeProblems();
            listProblems();
            return;
          }
          savedEl.textContent = failure(res);
          savedEl.className = 'error';
          if (res.j && res.j.problems) { problems = res.j.problems; if (tab === 'visual') placeProblems(); listProblems(); }
        }).catch(function () { saveBtn.disabled = false; savedEl.textContent = T('offline'); savedEl.className = 'error'; });
      });
      window.addEventListener('beforeunload', function (e) { if (dirty) { e.preventDefault(); e.returnValue = ''; } });

      try {
        var saved = sessionStorage.getItem('kaohe-builder-saved');
        if (saved) { sessionStorage.removeItem('kaohe-builder-saved'); savedEl.textContent = saved; savedEl.className = 'notice ok'; }
      } catch (x) { /* private mode */ }
      if (side) side.hidden = false;
      switchTo('visual');
      render();
      check();
    })();
    """#
}
