import Foundation
import Yams

/// The valid values of every enum-valued field of the scheme format, with their names in plain
/// Chinese (issue 16 §2): a wrong value is reported with the list («可选：manual 手工评分、
/// deductions 扣分项 …»), and the builder's palette can show the same names. Ids are read from
/// the enums themselves, so the lists cannot name a value the decoder refuses.
public enum SchemeChoices {
    /// `manual` → 手工评分 … (the palette's names).
    public static func label(_ k: Item.Kind) -> String {
        switch k {
        case .manual: "手工评分"
        case .deductions: "扣分项"
        case .perOccurrence: "按次加减分"
        case .banded: "档位/区间"
        case .ratio: "达成率"
        case .relative: "对比平均"
        case .target: "目标加减分"
        case .graded: "等级评定"
        case .formula: "公式"
        case .veto: "否决"
        case .events: "金额奖罚（元）"
        }
    }

    /// Every item kind with its name, in the format's order.
    public static var itemKinds: [(id: String, label: String)] { Item.Kind.allCases.map { (id: $0.rawValue, label: label($0)) } }

    public static var periods: [(id: String, label: String)] {
        PeriodKind.allCases.map { p in
            let l: String
            switch p { case .week: l = "周"; case .month: l = "月"; case .quarter: l = "季度"; case .halfyear: l = "半年"; case .year: l = "年" }
            return (id: p.rawValue, label: l)
        }
    }

    public static var boundaries: [(id: String, label: String)] {
        pairs(Boundary.self, [(.better, "归结果更好的一档"), (.worse, "归结果更差的一档"), (.lower, "归以此值为下限的一档"), (.upper, "归以此值为上限的一档")])
    }

    public static var valueKinds: [(id: String, label: String)] {
        pairs(ValueKind.self, [(.number, "数值"), (.percent, "百分比"), (.count, "次数/个数"), (.money, "金额（元）"), (.grade, "等级"), (.text, "文本")])
    }

    static var raterMissing: [(id: String, label: String)] {
        pairs(Scheme.RaterMissing.self, [(.wait, "等待全部评分人"), (.respread, "按比例重新分配权重")])
    }
    static var perOccurrenceDirections: [(id: String, label: String)] {
        pairs(PerOccurrenceRule.Direction.self, [(.deduct, "从满分扣"), (.add, "从 0 加")])
    }
    static var relativeDirections: [(id: String, label: String)] {
        pairs(RelativeRule.Direction.self, [(.below, "低于平均扣分"), (.above, "高于平均扣分")])
    }
    static var bandModes: [(id: String, label: String)] {
        pairs(BandedRule.Mode.self, [(.points, "档位值即得分"), (.deduction, "档位值为扣分"), (.amount, "档位值为金额（元）")])
    }
    static var steps: [(id: String, label: String)] {
        pairs(Steps.self, [(.whole, "只计整步"), (.continuous, "按比例计")])
    }
    static var gradeCounts: [(id: String, label: String)] {
        pairs(GradedRule.Count.self, [(.single, "每期一个等级"), (.multiple, "每个等级计次数")])
    }
    static var aggregates: [(id: String, label: String)] {
        pairs(GradedRule.Aggregate.self, [(.sum, "合计"), (.average, "平均")])
    }
    static var vetoEffects: [(id: String, label: String)] {
        pairs(VetoRule.Effect.self, [(.deduct, "每次从总分扣"), (.zero, "总分为 0"), (.flag, "只记录并标记")])
    }
    static var logColumnKinds: [(id: String, label: String)] {
        pairs(LogColumn.Kind.self, [(.text, "文本"), (.number, "数值"), (.money, "金额（元）"), (.datetime, "日期时间")])
    }
    static var logFunctions: [(id: String, label: String)] {
        LogAggregate.Function.allCases.map { f in
            let l: String
            switch f { case .count: l = "计数"; case .sum: l = "求和"; case .mean: l = "平均"; case .percent: l = "占比（%）"; case .max: l = "最大"; case .min: l = "最小" }
            return (id: f.rawValue, label: l)
        }
    }

    static func pairs<T: RawRepresentable>(_: T.Type, _ list: [(T, String)]) -> [(id: String, label: String)] where T.RawValue == String {
        list.map { (id: $0.0.rawValue, label: $0.1) }
    }

    /// `manual 手工评分、deductions 扣分项、…`
    public static func said(_ choices: [(id: String, label: String)]) -> String {
        choices.map { "\($0.id) \($0.label)" }.joined(separator: "、")
    }

    /// The valid values of the field the decoder refused: by the enum's type name (as the standard
    /// library's message gives it, `Kind`, `Direction`) and the path; the item's `kind` tells the
    /// two `direction`s apart. nil for a type this table does not know.
    static func choices(type: String, path: [CodingKey], text: String?) -> [(id: String, label: String)]? {
        let names = path.map(\.stringValue)
        switch type {
        case "Kind": return names.contains("interaction_log") ? logColumnKinds : itemKinds
        case "PeriodKind": return periods
        case "Boundary": return boundaries
        case "ValueKind": return valueKinds
        case "RaterMissing": return raterMissing
        case "Mode": return bandModes
        case "Steps": return steps
        case "Count": return gradeCounts
        case "Aggregate": return aggregates
        case "Effect": return vetoEffects
        case "Function": return logFunctions
        case "Direction":
            switch siblingKind(path: path, text: text) {
            case Item.Kind.perOccurrence.rawValue?: return perOccurrenceDirections
            case Item.Kind.relative.rawValue?: return relativeDirections
            default: return perOccurrenceDirections + relativeDirections
            }
        default: return nil
        }
    }

    /// The `kind` written beside the refused field (`sections[0].items[2].kind` for
    /// `sections[0].items[2].direction`), read from the document; JSON is read as YAML.
    static func siblingKind(path: [CodingKey], text: String?) -> String? {
        guard let text, path.count >= 1, SchemeLoader.precheck(text) == nil, var node = try? Yams.compose(yaml: text) else { return nil }
        for k in path.dropLast() {
            if let i = k.intValue ?? (k.stringValue.hasPrefix("Index ") ? Int(k.stringValue.dropFirst(6)) : nil) {
                guard let s = node.sequence, i >= 0, i < s.count else { return nil }
                node = s[i]
            } else {
                guard let m = node.mapping, let pair = m.first(where: { $0.key.string == k.stringValue }) else { return nil }
                node = pair.value
            }
        }
        return node.mapping?.first(where: { $0.key.string == "kind" })?.value.string
    }
}
