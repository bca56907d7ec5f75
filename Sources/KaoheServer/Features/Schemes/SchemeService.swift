import Fluent
import Foundation
import KaoheCore
import Vapor

/// Schemes for the API, the YAML editor, the template gallery and the visual builder alike.
///
/// For the builder (issue 16 §2), three functions with no database and no request, so a page, an
/// API route or a test can call them on a document being edited:
///
/// - `validate(document:format:)` — decodes a YAML or JSON document and checks it as a save
///   would (validator, engine, outcome policies): the scheme when it decodes, every problem (each
///   with its `path`, `sections[0].items[2].kind`, or for a typing slip its `line` and `column`,
///   and a Chinese message listing the valid choices where a choice is wrong), and the attainable
///   maximum (R-002-25). A company's scheme gets no "未注明 SPEC id" warnings (presets only).
/// - `convert(_:from:to:)` — the same document in the other format (JSON ↔ YAML): keys in their
///   order, numbers with the digits written; comments do not survive JSON. Throws
///   `SchemeDocument.ConversionError` (its `problems`) when the text does not parse.
/// - `preview(_:sample:)` — scores one sample employee with the Core engine: `sample` maps the
///   scheme's CSV columns (`inquiries`, `daily.late`, `attitude.manager`) to values as typed;
///   blank values count as not entered. The `SheetResult` carries each item's points and
///   explanation, the total, grade, money and pay. Throws `SchemeProblems` for a scheme with
///   errors and `InputError` (its `column`) for a value the column refuses.
///
/// And for storing: `check` (a text against the key it is saved under), `save` (the next
/// version), `create` (version 1 of a new scheme, from a preset or blank, under the company's own
/// key and name; a preset may be copied any number of times, each copy recording its preset).
enum SchemeService {
    // MARK: for the builder

    static func validate(document: Data, format: SchemeLoader.Format) -> (scheme: Scheme?, problems: [SchemeProblem], maxPoints: Fixed?) {
        guard let text = String(data: document, encoding: .utf8) else {
            return (nil, [SchemeProblem(.error, "", "方案不是 UTF-8 文本 not UTF-8 text")], nil)
        }
        do {
            let s = try SchemeLoader.decode(text, format: format)
            return (s, compiled(s), SchemeValidator.attainableMax(s))
        } catch { return (nil, error.problems, nil) }
    }

    static func convert(_ text: String, from: SchemeLoader.Format, to: SchemeLoader.Format) throws -> String {
        try SchemeDocument.convert(text, from: from, to: to)
    }

    static func preview(_ scheme: Scheme, sample: [String: String]) throws -> SheetResult {
        let engine = try ScoringEngine(scheme: scheme)
        let entered = sample.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        return try engine.score(entered, employee: "样例 sample", period: nil)
    }

    // MARK: checking and storing

    /// The validator's problems, and where it finds no error, the engine's and the outcome
    /// policies' (what compiling them refuses).
    static func compiled(_ s: Scheme) -> [SchemeProblem] {
        var problems = SchemeValidator.validate(s)
        if !problems.contains(where: { $0.severity == .error }) {
            do { _ = try ScoringEngine(scheme: s); _ = try OutcomeEngine(engine: try ScoringEngine(scheme: s)) } catch { problems += error.problems }
        }
        return problems
    }

    /// A scheme text decoded and checked as a save would check it: the validator, the engine and
    /// the outcome policies compiled, the id kept.
    static func check(_ text: String, key: String) -> (Scheme?, [SchemeProblem]) {
        do {
            let s = try SchemeLoader.decode(text, format: SchemeLoader.format(for: "\(key).yaml", text: text))
            var problems = compiled(s)
            if s.id != key { problems.append(SchemeProblem(.error, "id", "方案 id “\(s.id)” 须与 “\(key)” 一致 must stay \(key)")) }
            return (s, problems)
        } catch { return (nil, error.problems) }
    }

    /// Stores a checked scheme as the next version (sheets keep the version they were scored with).
    static func save(_ scheme: Scheme, text: String, after current: SchemeVersion, reason: String, user: User, db: Database) async throws -> SchemeVersion {
        let next = SchemeVersion(key: current.key, version: current.version + 1, name: scheme.name, text: text, preset: current.preset,
                                 departmentId: current.$department.id, createdBy: user.id)
        try await next.save(on: db)
        try await Audit.record(on: db, actor: user, action: "update", entity: "scheme", id: current.key,
                               before: "v\(current.version)", after: "v\(next.version)", reason: reason)
        return next
    }

    // MARK: new schemes (the template gallery)

    /// Why `key` cannot name a scheme, or nil: lowercase letters, digits and hyphens, starting with
    /// a letter or digit — it becomes the scheme's `id` and part of its links.
    static func keyProblem(_ key: String) -> (zh: String, en: String)? {
        if key.isEmpty { return ("须填写方案 key（小写英文字母、数字和连字符 -，如 shop-monthly）", "a key is required (lowercase letters, digits and hyphens, e.g. shop-monthly)") }
        if key.count > 64 { return ("方案 key 最长 64 个字符", "a key has at most 64 characters") }
        let allowed = key.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
        if !allowed || key.hasPrefix("-") || key.hasSuffix("-") {
            var why: [String] = []
            if key.contains(where: { $0.isUppercase }) { why.append("不能有大写字母") }
            if key.contains(where: { $0.isWhitespace }) { why.append("不能有空格") }
            if key.hasPrefix("-") || key.hasSuffix("-") { why.append("不能以 - 开头或结尾") }
            let said = why.isEmpty ? "" : "（\(why.joined(separator: "，"))）"
            return ("方案 key “\(key)” 只能用小写英文字母 a–z、数字和连字符 -\(said)，如 shop-monthly",
                    "the key “\(key)” may use only lowercase letters a–z, digits and hyphens, e.g. shop-monthly")
        }
        return nil
    }

    /// Version 1 of a new scheme under the company's own `key` and `name`: a copy of `preset`
    /// (which it records), or a blank scheme when `preset` is nil. Refuses, naming the field, a
    /// key that is malformed or taken, a missing name, an unknown preset or department.
    static func create(from preset: String?, key rawKey: String, name rawName: String, departmentId: UUID?,
                       user: User, db: Database) async throws -> SchemeVersion {
        let key = rawKey.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        if let p = keyProblem(key) { throw KaoheError.invalid("key: \(p.zh)", en: "key: \(p.en)") }
        guard !name.isEmpty else { throw KaoheError.invalid("name: 须填写方案名称", en: "name: the scheme needs a name") }
        guard name.count <= 100, !name.contains(where: { $0.isNewline }) else {
            throw KaoheError.invalid("name: 方案名称须为一行，最长 100 个字", en: "name: one line of at most 100 characters")
        }
        if let d = departmentId, try await PeopleStore.department(d, on: db) == nil {
            throw KaoheError.invalid("department_id: 没有这个部门", en: "department_id: no such department")
        }
        guard try await SchemeStore.count(key: key, on: db) == 0 else {
            throw KaoheError.conflict("key: 已有方案 “\(key)”，请换一个 key；修改已有方案请提交新版本",
                                      en: "key: a scheme “\(key)” exists; choose another key (to change that scheme, submit a new version)")
        }
        let text: String
        if let preset {
            guard let file = Presets.file(preset) else {
                let ids = Presets.all().map(\.id).joined(separator: ", ")
                throw KaoheError.notFound("preset: 没有预设 “\(preset)”；可用：\(ids)", en: "preset: no preset “\(preset)”; available: \(ids)")
            }
            text = try renamed(try String(contentsOf: file, encoding: .utf8), key: key, name: name)
        } else {
            text = blankText(key: key, name: name)
        }
        let (scheme, problems) = check(text, key: key)
        guard let scheme, !problems.contains(where: { $0.severity == .error }) else {
            throw KaoheError.internalFault("模板未能通过校验：\(problems.filter { $0.severity == .error }.map(\.description).joined(separator: "；"))",
                                           en: "the template does not validate")
        }
        let v = SchemeVersion(key: key, version: 1, name: scheme.name, text: text, preset: preset, departmentId: departmentId, createdBy: user.id)
        try await v.save(on: db)
        try await Audit.record(on: db, actor: user, action: "create", entity: "scheme", id: "\(key) v1", after: preset.map { "preset \($0)" } ?? "blank")
        return v
    }

    /// A preset's text under a new id and name: its top-level `id:` and `name:` lines rewritten,
    /// everything else (comments, decisions, rule ids) as the preset has it.
    static func renamed(_ text: String, key: String, name: String) throws -> String {
        var lines = text.components(separatedBy: "\n")
        var sawId = false, sawName = false
        for i in lines.indices {
            if !sawId, lines[i].hasPrefix("id:") { lines[i] = "id: \(key)"; sawId = true }
            else if !sawName, lines[i].hasPrefix("name:") { lines[i] = "name: \(SchemeDocument.yamlString(name, flow: false))"; sawName = true }
        }
        guard sawId, sawName else { throw KaoheError.internalFault("预设缺少顶层的 id 或 name", en: "the preset has no top-level id or name") }
        return lines.joined(separator: "\n")
    }

    /// The smallest scheme that validates: one section of 100 points with one item a rater marks.
    static func blankText(key: String, name: String) -> String {
        """
        # 空白方案：在方案编辑器中添加维度、项目、评分人、等级与工资。
        id: \(key)
        name: \(SchemeDocument.yamlString(name, flow: false))
        period: month
        max: 100
        sections:
          - id: overall
            label: 综合表现
            max: 100
            items:
              - {id: performance, label: 综合评分, kind: manual, max: 100}

        """
    }
}
