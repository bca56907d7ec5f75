import Fluent
import Foundation
import KaoheCore
import Vapor

/// A change to a published or locked result (R-100-02): who, when, why, each input's value before
/// and after, and the total, pay and money before and after; paid as a difference line in the
/// payroll of `settledIn` (the same month while it is not locked, else the month after).
final class Correction: Model, @unchecked Sendable {
    static let schema = "corrections"
    // managed fields
    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    // data fields
    @Field(key: "period") var period: String
    @Field(key: "settled_in") var settledIn: String
    @OptionalField(key: "actor_id") var actorId: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "reason") var reason: String
    /// JSON: [{"column": …, "before": …, "after": …}]
    @Field(key: "changes") var changes: String
    @OptionalField(key: "before_total") var beforeTotal: String?
    @OptionalField(key: "after_total") var afterTotal: String?
    @OptionalField(key: "before_pay") var beforePay: String?
    @OptionalField(key: "after_pay") var afterPay: String?
    @OptionalField(key: "before_money") var beforeMoney: String?
    @OptionalField(key: "after_money") var afterMoney: String?
    // relationships
    @Parent(key: "sheet_id") var sheet: Sheet
    @Parent(key: "employee_id") var employee: Employee

    init() {}

    struct Change: Codable, Sendable, Equatable { var column: String; var before: String?; var after: String? }

    var changeList: [Change] { (try? JSONDecoder().decode([Change].self, from: Data(changes.utf8))) ?? [] }

    /// Pay plus money after minus before: the payroll's difference line (yuan).
    var difference: Decimal {
        func d(_ s: String?) -> Decimal { s.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) } ?? 0 }
        return (d(afterPay) + d(afterMoney)) - (d(beforePay) + d(beforeMoney))
    }
}

enum CorrectionStore {
    /// The corrections paid in the payroll of `period` (of these people).
    static func settled(in period: String, employees: Set<UUID>? = nil, on db: Database) async throws -> [Correction] {
        var all = try await Correction.query(on: db).filter(\.$settledIn == period).with(\.$employee).sort(\.$at).all()
        if let employees { all = all.filter { employees.contains($0.$employee.id) } }
        return all
    }

    static func of(sheet: UUID, on db: Database) async throws -> [Correction] {
        try await Correction.query(on: db).filter(\.$sheet.$id == sheet).sort(\.$at).all()
    }
}
