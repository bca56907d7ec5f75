import Fluent
import Foundation
import KaoheCore
import Vapor

/// Schemes for the API, the YAML editor, the template gallery and the visual builder alike
/// (the builder's own document handling — JSON ↔ YAML, preview — is `SchemeBuilderService` and
/// Core's `SchemeText`): `check` (a text against the key it is saved under, as every save checks
/// it), `save` (the next version), `create` (version 1 of a new scheme, from a preset or blank,
/// under the company's own key and name; a preset may be copied any number of times, each copy
/// recording its preset).
enum SchemeService {
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

    static let reserved: Set<String> = ["new", "builder"]

    /// Why `key` cannot name a scheme, or nil: lowercase letters, digits and hyphens, starting with
    /// a letter or digit — it becomes the scheme's `id` and part of its links.
    static func keyProblem(_ key: String) -> (zh: String, en: String)? {
        if key.isEmpty { return ("须填写方案 key（小写英文字母、数字和连字符 -，如 shop-monthly）", "a key is required (lowercase letters, digits and hyphens, e.g. shop-monthly)") }
        if key.count > 64 { return ("方案 key 最长 64 个字符", "a key has at most 64 characters") }
        // the pages' own words after /schemes/
        if reserved.contains(key) { return ("方案 key 不能是 “\(key)”（保留字）", "the key cannot be “\(key)” (a reserved word)") }
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
        return try await storeFirst(scheme, text: text, preset: preset, departmentId: departmentId, made: preset.map { "preset \($0)" } ?? "blank",
                                    reason: nil, user: user, db: db)
    }

    /// Stores version 1 of a new, checked scheme and audits how it was made (a preset, blank, the builder).
    static func storeFirst(_ scheme: Scheme, text: String, preset: String?, departmentId: UUID?, made: String, reason: String?,
                           user: User, db: Database) async throws -> SchemeVersion {
        let v = SchemeVersion(key: scheme.id, version: 1, name: scheme.name, text: text, preset: preset, departmentId: departmentId, createdBy: user.id)
        try await v.save(on: db)
        try await Audit.record(on: db, actor: user, action: "create", entity: "scheme", id: "\(scheme.id) v1", after: made, reason: reason)
        return v
    }

    /// A preset's text under a new id and name: its top-level `id:` and `name:` lines rewritten,
    /// everything else (comments, decisions, rule ids) as the preset has it.
    static func renamed(_ text: String, key: String, name: String) throws -> String {
        var lines = text.components(separatedBy: "\n")
        var sawId = false, sawName = false
        for i in lines.indices {
            if !sawId, lines[i].hasPrefix("id:") { lines[i] = "id: \(key)"; sawId = true }
            else if !sawName, lines[i].hasPrefix("name:") { lines[i] = "name: \(SchemeText.yamlString(name, flow: false))"; sawName = true }
        }
        guard sawId, sawName else { throw KaoheError.internalFault("预设缺少顶层的 id 或 name", en: "the preset has no top-level id or name") }
        return lines.joined(separator: "\n")
    }

    /// The smallest scheme that validates: one section of 100 points with one item a rater marks.
    static func blankText(key: String, name: String) -> String {
        """
        # 空白方案：在方案编辑器中添加维度、项目、评分人、等级与工资。
        id: \(key)
        name: \(SchemeText.yamlString(name, flow: false))
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
