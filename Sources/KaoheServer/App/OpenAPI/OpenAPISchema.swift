import KaoheCore
import Foundation

/// JSON schemas (OpenAPI 3.0) derived from the very `Codable` types the routes decode and
/// encode (issue 20 §2), so that the document cannot drift from them: a type is decoded once by
/// a probe that answers every `decode(_:forKey:)` with a sample and records the key (in the API's
/// snake_case), its type and whether it is optional. Containers, enums, dates and ids are read
/// from the type itself; `SchemaDescribed` lets a type state constraints its Swift type cannot
/// (a pattern, a length, the values of a string).
enum SchemaProbe {
    typealias JSON = [String: Any]

    static func schema(_ type: Decodable.Type) -> JSON {
        (try? sample(type, depth: 0).schema) ?? ["type": "object"]
    }

    /// The top-level fields of a request type (snake_case), read once per type.
    static func fields(_ type: Decodable.Type) -> Set<String> {
        FieldCache.shared.fields(type) { Set(((schema(type)["properties"] as? JSON) ?? [:]).keys) }
    }

    final class FieldCache: @unchecked Sendable {
        static let shared = FieldCache()
        private let lock = NSLock()
        private var cache: [ObjectIdentifier: Set<String>] = [:]
        func fields(_ type: Any.Type, _ make: () -> Set<String>) -> Set<String> {
            lock.lock(); defer { lock.unlock() }
            if let f = cache[ObjectIdentifier(type)] { return f }
            let f = make()
            cache[ObjectIdentifier(type)] = f
            return f
        }
    }

    /// The schema of `type` and a value of it to hand back to the decoder that asked.
    static func sample(_ type: Decodable.Type, depth: Int) throws -> (schema: JSON, value: Any?) {
        guard depth < 24 else { return (["type": "object"], nil) }
        switch type {
        case is String.Type: return (["type": "string"], "0")
        case is Bool.Type: return (["type": "boolean"], false)
        // a JSON number beyond 64 bits is not a number the server can read
        case is Int.Type: return (["type": "integer", "format": "int64", "minimum": Int.min, "maximum": Int.max], 0)
        case is Int64.Type: return (["type": "integer", "format": "int64", "minimum": Int64.min, "maximum": Int64.max], Int64(0))
        case is Int32.Type: return (["type": "integer", "format": "int32"], Int32(0))
        case is Int8.Type: return (["type": "integer"], Int8(0))
        case is Int16.Type: return (["type": "integer"], Int16(0))
        case is UInt.Type: return (["type": "integer", "minimum": 0], UInt(0))
        case is UInt8.Type: return (["type": "integer", "minimum": 0], UInt8(0))
        case is UInt16.Type: return (["type": "integer", "minimum": 0], UInt16(0))
        case is UInt32.Type: return (["type": "integer", "minimum": 0], UInt32(0))
        case is UInt64.Type: return (["type": "integer", "minimum": 0], UInt64(0))
        case is Double.Type: return (["type": "number"], 0.0)
        case is Float.Type: return (["type": "number"], Float(0))
        case is UUID.Type: return (["type": "string", "format": "uuid"], UUID())
        case is Date.Type: return (["type": "string", "format": "date-time"], Date())
        default: break
        }
        if let d = type as? SchemaDescribed.Type { return (d.schema, d.schemaSample) }
        if let e = type as? SchemaEnum.Type { return (["type": "string", "enum": e.schemaCases], e.schemaSample) }
        if let o = type as? OptionalSchema.Type {
            var s = try sample(o.wrapped, depth: depth + 1).schema
            s["nullable"] = true
            return (s, o.none)
        }
        if let a = type as? ArraySchema.Type { return (["type": "array", "items": try sample(a.element, depth: depth + 1).schema], a.empty) }
        if let d = type as? DictionarySchema.Type {
            return (["type": "object", "additionalProperties": try sample(d.value, depth: depth + 1).schema], d.empty)
        }
        let box = Box(depth: depth)
        let value = try type.init(from: ProbeDecoder(box: box))
        return (box.schema, value)
    }

    /// camelCase → snake_case as `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` does it.
    static func snake(_ key: String) -> String {
        guard !key.isEmpty else { return key }
        var words: [String] = []
        var current = ""
        let chars = Array(key)
        for (i, c) in chars.enumerated() {
            if c.isUppercase, !current.isEmpty {
                let prevLower = i > 0 && !chars[i - 1].isUppercase
                let nextLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prevLower || nextLower { words.append(current); current = "" }
            }
            current.append(c)
        }
        words.append(current)
        return words.map { $0.lowercased() }.joined(separator: "_")
    }

    /// What the probe learnt about the value being decoded.
    final class Box {
        let depth: Int
        var properties: [String: JSON] = [:]
        var required: [String] = []
        var single: JSON?
        var array = false
        init(depth: Int) { self.depth = depth }

        var schema: JSON {
            if let single { return single }
            if array { return ["type": "array", "items": [String: Any]()] }
            var s: JSON = ["type": "object", "properties": properties]
            if !required.isEmpty { s["required"] = required }
            return s
        }

        func field(_ key: CodingKey, _ schema: JSON, required: Bool) {
            let name = SchemaProbe.snake(key.stringValue)
            properties[name] = schema
            if required && !self.required.contains(name) { self.required.append(name) }
        }
    }

    struct ProbeDecoder: Decoder {
        let box: Box
        var codingPath: [CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]
        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { KeyedDecodingContainer(Keyed<Key>(box: box)) }
        func unkeyedContainer() throws -> UnkeyedDecodingContainer { box.array = true; return Unkeyed() }
        func singleValueContainer() throws -> SingleValueDecodingContainer { Single(box: box) }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let box: Box
        var codingPath: [CodingKey] = []
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try field(type, key) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optional(type, key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try field(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try field(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try field(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try field(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try field(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try field(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try field(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try field(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try field(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try field(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try field(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try field(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try field(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try field(type, key) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }
        private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
            var s = try SchemaProbe.sample(type, depth: box.depth + 1).schema
            s["nullable"] = true
            box.field(key, s, required: false)
            return nil
        }
        private func field<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            let (s, v) = try SchemaProbe.sample(type, depth: box.depth + 1)
            box.field(key, s, required: !(type is OptionalSchema.Type))
            guard let t = v as? T else { throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "no sample of \(T.self)") }
            return t
        }
        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>(box: Box(depth: box.depth + 1)))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { Unkeyed() }
        func superDecoder() throws -> Decoder { ProbeDecoder(box: box) }
        func superDecoder(forKey key: Key) throws -> Decoder { ProbeDecoder(box: Box(depth: box.depth + 1)) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        var codingPath: [CodingKey] = []
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        mutating func decodeNil() throws -> Bool { true }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath, debugDescription: "the probe's arrays are empty"))
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: String.Type) throws -> String { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Double.Type) throws -> Double { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Float.Type) throws -> Float { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Int.Type) throws -> Int { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "empty")) }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> { KeyedDecodingContainer(Keyed<N>(box: Box(depth: 0))) }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { Unkeyed() }
        mutating func superDecoder() throws -> Decoder { ProbeDecoder(box: Box(depth: 0)) }
    }

    struct Single: SingleValueDecodingContainer {
        let box: Box
        var codingPath: [CodingKey] = []
        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) throws -> Bool { try decode(type as Bool.Type, generic: ()) }
        func decode(_ type: String.Type) throws -> String { try decode(type as String.Type, generic: ()) }
        func decode(_ type: Double.Type) throws -> Double { try decode(type as Double.Type, generic: ()) }
        func decode(_ type: Float.Type) throws -> Float { try decode(type as Float.Type, generic: ()) }
        func decode(_ type: Int.Type) throws -> Int { try decode(type as Int.Type, generic: ()) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decode(type as Int8.Type, generic: ()) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decode(type as Int16.Type, generic: ()) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decode(type as Int32.Type, generic: ()) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decode(type as Int64.Type, generic: ()) }
        func decode(_ type: UInt.Type) throws -> UInt { try decode(type as UInt.Type, generic: ()) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(type as UInt8.Type, generic: ()) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(type as UInt16.Type, generic: ()) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(type as UInt32.Type, generic: ()) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(type as UInt64.Type, generic: ()) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decode(type, generic: ()) }
        private func decode<T: Decodable>(_ type: T.Type, generic: Void) throws -> T {
            let (s, v) = try SchemaProbe.sample(type, depth: box.depth + 1)
            if box.single == nil { box.single = s }
            guard let t = v as? T else { throw DecodingError.dataCorruptedError(in: self, debugDescription: "no sample of \(T.self)") }
            return t
        }
    }
}

/// A type that states its own schema (constraints its Swift type cannot carry) and a sample.
protocol SchemaDescribed: Decodable {
    static var schema: [String: Any] { get }
    static var schemaSample: Any { get }
}

extension JSONValue: SchemaDescribed {
    /// Any JSON (where it appears, the stored form of a result: docs/results.md).
    static var schema: [String: Any] { ["description": "any JSON value"] }
    static var schemaSample: Any { JSONValue.null }
}

/// A string enum: its cases are the schema's `enum`.
protocol SchemaEnum: Decodable {
    static var schemaCases: [String] { get }
    static var schemaSample: Any { get }
}

extension SchemaEnum where Self: CaseIterable & RawRepresentable, RawValue == String {
    static var schemaCases: [String] { allCases.map(\.rawValue) }
    static var schemaSample: Any { allCases.first! }
}

protocol OptionalSchema { static var wrapped: Decodable.Type { get }; static var none: Any { get } }
extension Optional: OptionalSchema where Wrapped: Decodable {
    static var wrapped: Decodable.Type { Wrapped.self }
    static var none: Any { Optional<Wrapped>.none as Any }
}

protocol ArraySchema { static var element: Decodable.Type { get }; static var empty: Any { get } }
extension Array: ArraySchema where Element: Decodable {
    static var element: Decodable.Type { Element.self }
    static var empty: Any { [Element]() }
}

protocol DictionarySchema { static var value: Decodable.Type { get }; static var empty: Any { get } }
extension Dictionary: DictionarySchema where Key == String, Value: Decodable {
    static var value: Decodable.Type { Value.self }
    static var empty: Any { [String: Value]() }
}

extension StringProtocol {
    /// Empty or only white space (any Unicode space, tab or line break): a name or reason that says nothing.
    var isBlank: Bool { trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
}
