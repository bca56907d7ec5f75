import Foundation

/// An expression compiled to a flat program over `Fixed`, for the hot paths (derived metrics,
/// formula items, outcome conditions evaluated for every employee-month). Evaluating it
/// allocates nothing and touches no reference counts. When it cannot produce a value (a missing
/// input, a division by zero, an unresolved name) it re-evaluates the expression tree, so the
/// error and its wording are exactly the tree evaluator's.
public struct FixedProgram: Sendable {
    enum Op: Sendable {
        case push(Fixed), load(Int)
        case neg, not, toBool
        case add, sub, mul, div, lt, le, gt, ge, eq, ne
        case jumpIfZero(Int), jump(Int)
        case min(Int), max(Int), clamp, abs, floor, round
        case fail
    }

    let ops: ContiguousArray<Op>
    let depth: Int
    public let expr: Expr

    public init(_ expr: Expr) {
        self.expr = expr
        var ops = ContiguousArray<Op>()
        func emit(_ e: Expr) {
            switch e {
            case .number(let f): ops.append(.push(f))
            case .slot(let s, _): ops.append(.load(s))
            case .name: ops.append(.fail)
            case .negate(let a): emit(a); ops.append(.neg)
            case .not(let a): emit(a); ops.append(.not)
            case .binary(let op, let a, let b, _):
                switch op {
                case .and:
                    emit(a)
                    let j = ops.count; ops.append(.jumpIfZero(0))
                    emit(b); ops.append(.toBool)
                    let k = ops.count; ops.append(.jump(0))
                    ops[j] = .jumpIfZero(ops.count); ops.append(.push(.zero))
                    ops[k] = .jump(ops.count)
                case .or:
                    emit(a)
                    let j = ops.count; ops.append(.jumpIfZero(0))
                    ops.append(.push(.one))
                    let k = ops.count; ops.append(.jump(0))
                    ops[j] = .jumpIfZero(ops.count)
                    emit(b); ops.append(.toBool)
                    ops[k] = .jump(ops.count)
                default:
                    emit(a); emit(b)
                    switch op {
                    case .add: ops.append(.add)
                    case .sub: ops.append(.sub)
                    case .mul: ops.append(.mul)
                    case .div: ops.append(.div)
                    case .lt: ops.append(.lt)
                    case .le: ops.append(.le)
                    case .gt: ops.append(.gt)
                    case .ge: ops.append(.ge)
                    case .eq: ops.append(.eq)
                    case .ne: ops.append(.ne)
                    case .and, .or: break
                    }
                }
            case .call(let f, let args, _):
                switch f {
                case .if:
                    emit(args[0])
                    let j = ops.count; ops.append(.jumpIfZero(0))
                    emit(args[1])
                    let k = ops.count; ops.append(.jump(0))
                    ops[j] = .jumpIfZero(ops.count)
                    emit(args[2])
                    ops[k] = .jump(ops.count)
                case .min: args.forEach(emit); ops.append(.min(args.count))
                case .max: args.forEach(emit); ops.append(.max(args.count))
                case .clamp: args.forEach(emit); ops.append(.clamp)
                case .abs: emit(args[0]); ops.append(.abs)
                case .floor: emit(args[0]); ops.append(.floor)
                case .round:
                    emit(args[0])
                    if args.count > 1 { emit(args[1]) } else { ops.append(.push(.zero)) }
                    ops.append(.round)
                case .groupSum, .groupAvg, .groupCount, .groupMin, .groupMax: ops.append(.fail)
                }
            }
        }
        emit(expr)
        // an upper bound of the stack depth (a linear scan over-counts joined branches, harmlessly)
        var d = 0, m = 1
        for op in ops {
            switch op {
            case .push, .load: d += 1
            case .add, .sub, .mul, .div, .lt, .le, .gt, .ge, .eq, .ne, .round, .jumpIfZero: d -= 1
            case .clamp: d -= 2
            case .min(let n), .max(let n): d -= n - 1
            case .neg, .not, .toBool, .abs, .floor, .jump, .fail: break
            }
            m = Swift.max(m, d)
        }
        self.ops = ops
        depth = m + 1
    }

    /// Evaluates with `value(slot)` supplying inputs; the same result and errors as `expr.evaluate`.
    @inline(__always)
    public func evaluate(_ value: (Int) -> Fixed?) throws(EvalError) -> Fixed {
        if let v = run(value) { return v }
        return try expr.evaluate(value)
    }

    /// The program's value, or nil when the tree must decide (missing input, division by zero).
    public func run(_ value: (Int) -> Fixed?) -> Fixed? {
        withUnsafeTemporaryAllocation(of: Fixed.self, capacity: depth) { st -> Fixed? in
            var sp = 0
            var pc = 0
            let n = ops.count
            return ops.withUnsafeBufferPointer { code -> Fixed? in
                while pc < n {
                    switch code[pc] {
                    case .push(let f): st[sp] = f; sp += 1
                    case .load(let s):
                        guard let v = value(s) else { return nil }
                        st[sp] = v; sp += 1
                    case .neg:
                        guard let r = Fixed.checkedNeg(st[sp - 1]) else { return nil }
                        st[sp - 1] = r
                    case .not: st[sp - 1] = st[sp - 1].raw == 0 ? .one : .zero
                    case .toBool: st[sp - 1] = st[sp - 1].raw == 0 ? .zero : .one
                    // an overflow or a zero divisor: the tree decides and reports it
                    case .add, .sub, .mul, .div:
                        sp -= 1
                        let a = st[sp - 1], b = st[sp]
                        let r: Fixed?
                        switch code[pc] {
                        case .add: r = Fixed.adding(a, b)
                        case .sub: r = Fixed.subtracting(a, b)
                        case .mul: r = Fixed.multiplying(a, b)
                        default: r = Fixed.quotient(a, b)
                        }
                        guard let r else { return nil }
                        st[sp - 1] = r
                    case .lt: sp -= 1; st[sp - 1] = st[sp - 1] < st[sp] ? .one : .zero
                    case .le: sp -= 1; st[sp - 1] = st[sp - 1] <= st[sp] ? .one : .zero
                    case .gt: sp -= 1; st[sp - 1] = st[sp - 1] > st[sp] ? .one : .zero
                    case .ge: sp -= 1; st[sp - 1] = st[sp - 1] >= st[sp] ? .one : .zero
                    case .eq: sp -= 1; st[sp - 1] = st[sp - 1] == st[sp] ? .one : .zero
                    case .ne: sp -= 1; st[sp - 1] = st[sp - 1] != st[sp] ? .one : .zero
                    case .jumpIfZero(let t):
                        sp -= 1
                        if st[sp].raw == 0 { pc = t; continue }
                    case .jump(let t): pc = t; continue
                    case .min(let k):
                        var m = st[sp - k]
                        for i in (sp - k + 1)..<sp where st[i] < m { m = st[i] }
                        sp -= k - 1; st[sp - 1] = m
                    case .max(let k):
                        var m = st[sp - k]
                        for i in (sp - k + 1)..<sp where st[i] > m { m = st[i] }
                        sp -= k - 1; st[sp - 1] = m
                    case .clamp:
                        let v = st[sp - 3], lo = st[sp - 2], hi = st[sp - 1]
                        sp -= 2
                        st[sp - 1] = v < lo ? lo : (v > hi ? hi : v)
                    case .abs:
                        if st[sp - 1] < .zero {
                            guard let r = Fixed.checkedNeg(st[sp - 1]) else { return nil }
                            st[sp - 1] = r
                        }
                    case .floor: st[sp - 1] = st[sp - 1].floored
                    case .round:
                        sp -= 1
                        let p = st[sp]
                        var places = 0
                        while Fixed(places) < p && places < 6 { places += 1 }
                        st[sp - 1] = st[sp - 1].roundedTo(places)
                    case .fail: return nil
                    }
                    pc += 1
                }
                return sp == 1 ? st[0] : nil
            }
        }
    }
}
