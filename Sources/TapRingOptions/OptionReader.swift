/// Reads typed members out of a parsed option the way QEMU's visitors do,
/// each with its own conversions and messages:
///
/// - `QemuOpts` text, such as `-netdev tap,...`, through the opts visitor
///   (`qapi/opts-visitor.c`): the last occurrence of a key wins
///   (`lookup_scalar()`), and every occurrence of a key read is consumed;
/// - a keyval tree, such as `-netdev stream,addr.type=inet,...`, through the
///   keyval flavour of the QObject input visitor (`qapi/qobject-input-visitor.c`),
///   where values are text and nested members have dotted names;
/// - a JSON tree, such as `-netdev {"type": "tap", ...}`, through the strict
///   QObject input visitor, where values must have the member's JSON type.
///
/// `rejectUnconsumedKeys()` then reports what no member claimed (`opts_check_struct()`,
/// `qobject_input_check_struct()`): of several, the first in the order of
/// QEMU's hash table of the keys (`GLibHashTable`).
struct OptionReader {
    /// How the option was written.
    enum Syntax: Equatable, Sendable {
        case qemuOpts, keyval, json
    }

    private struct Member {
        var name: String
        var value: QObject
    }

    let syntax: Syntax
    private let members: [Member]
    /// The keys in the order QEMU's visitor puts them in its hash table:
    /// as typed, the id last, for QemuOpts (`opts_start_struct()`); in the
    /// dictionary's order for keyval and JSON (`qobject_input_push()`).
    private let tableOrder: [String]
    /// The dotted path of the struct being read, for messages: "" or "addr.".
    private let path: String
    private var consumed: Set<String> = []
    /// The keys read, in the order read: the order QEMU takes them out of its table.
    private var consumedInOrder: [String] = []
    /// Warnings raised while converting values, in the order raised.
    private(set) var warnings: [String] = []

    init(_ opts: QemuOpts) {
        // Like the visitor's `fake_id_opt`, the id is read as an ordinary member.
        let id = opts.id.map { [QemuOpts.Item(name: "id", value: $0)] } ?? []
        var seen: Set<String> = []
        self.init(
            syntax: .qemuOpts, members: (id + opts.items).map { Member(name: $0.name, value: .string($0.value)) },
            tableOrder: (opts.items + id).map(\.name).filter { seen.insert($0).inserted }, path: "")
    }

    /// Reads the members of `dictionary`, as parsed from keyval or JSON text.
    init(_ dictionary: QDict, syntax: Syntax) {
        self.init(dictionary, syntax: syntax, path: "")
    }

    private init(_ dictionary: QDict, syntax: Syntax, path: String) {
        self.init(
            syntax: syntax, members: dictionary.entries.map { Member(name: $0.key, value: $0.value) },
            tableOrder: QDictOrder.walk(dictionary.entries) { $0.key }.map(\.key), path: path)
    }

    private init(syntax: Syntax, members: [Member], tableOrder: [String], path: String) {
        self.syntax = syntax
        self.members = members
        self.tableOrder = tableOrder
        self.path = path
    }

    /// A string member; an empty value is a real empty string.
    mutating func string(_ name: String) throws(OptionDiagnostic) -> String? {
        guard let value = take(name) else { return nil }
        switch (value, syntax) {
        case (.string(let text), _): return text
        case (.dictionary, .keyval), (.list, .keyval):
            throw OptionDiagnostic("Parameters '\(path)\(name).*' are unexpected")
        default: throw .invalidParameterType(path + name, expected: "string")
        }
    }

    /// A string member the schema requires: QEMU's `Parameter 'x' is missing`
    /// when it is absent.
    mutating func requiredString(_ name: String) throws(OptionDiagnostic) -> String {
        guard let value = try string(name) else { throw .missingParameter(fullName(name)) }
        return value
    }

    /// A boolean member.
    mutating func bool(_ name: String) throws(OptionDiagnostic) -> Bool? {
        if syntax == .json {
            guard let value = take(name) else { return nil }
            guard case .bool(let flag) = value else { throw .invalidParameterType(path + name, expected: "boolean") }
            return flag
        }
        return try convert(name, expected: "'on' or 'off'", OptionValue.bool)
    }

    /// An `int32` member: read as an int64, then range-checked, as
    /// `visit_type_int32()` does, with a message for each step.
    mutating func int32(_ name: String) throws(OptionDiagnostic) -> Int32? {
        guard let value = try int64(name) else { return nil }
        guard let narrowed = Int32(exactly: value) else { throw .invalidParameterValue(name, expected: "int32_t") }
        return narrowed
    }

    /// A `uint32` member: read as a uint64, then range-checked, as
    /// `visit_type_uint32()` does.
    mutating func uint32(_ name: String) throws(OptionDiagnostic) -> UInt32? {
        guard let value = try uint64(name) else { return nil }
        guard let narrowed = UInt32(exactly: value) else { throw .invalidParameterValue(name, expected: "uint32_t") }
        return narrowed
    }

    /// A `uint16` member, as `visit_type_uint16()` reads it.
    mutating func uint16(_ name: String) throws(OptionDiagnostic) -> UInt16? {
        guard let value = try uint64(name) else { return nil }
        guard let narrowed = UInt16(exactly: value) else { throw .invalidParameterValue(name, expected: "uint16_t") }
        return narrowed
    }

    /// A `size` member, in bytes.
    mutating func size(_ name: String) throws(OptionDiagnostic) -> UInt64? {
        if syntax == .json {
            guard let value = take(name) else { return nil }
            guard case .number(let number) = value, let bytes = number.uint64 else {
                throw .invalidParameterValue(path + name, expected: "uint64")
            }
            return bytes
        }
        guard let text = try string(name) else { return nil }
        guard let size = SizeValue(parsing: text) else {
            throw .invalidParameterValue(path + name, expected: syntax == .keyval ? "size" : "a size value")
        }
        if size.isHexWithSuffix { warnings.append(SizeValue.hexSuffixWarning(for: text)) }
        return size.bytes
    }

    /// An enum member: one of `values`, case-sensitive (`visit_type_enum()`).
    mutating func enumeration(_ name: String, of values: [String]) throws(OptionDiagnostic) -> String? {
        guard let text = try string(name) else { return nil }
        guard values.contains(text) else { throw .unacceptedValue(text, for: name) }
        return text
    }

    /// A list member, such as `hostfwd` (`['String']`), taken whole and
    /// left unread: every occurrence of a QemuOpts key, or a JSON array.
    mutating func skipList(_ name: String) throws(OptionDiagnostic) {
        guard let value = take(name), syntax == .json else { return }
        guard case .list = value else { throw .invalidParameterType(path + name, expected: "array") }
    }

    /// A struct member, read by a reader of its own, whose leftovers the
    /// caller rejects when done with it. Keyval and JSON only.
    mutating func object(_ name: String) throws(OptionDiagnostic) -> OptionReader? {
        precondition(syntax != .qemuOpts, "the opts visitor has no nested structs")
        guard let value = take(name) else { return nil }
        guard case .dictionary(let dictionary) = value else {
            throw .invalidParameterType(path + name, expected: "object")
        }
        return OptionReader(dictionary, syntax: syntax, path: "\(path)\(name).")
    }

    /// The dotted name of member `name`, as messages about it give it.
    func fullName(_ name: String) -> String {
        path + name
    }

    /// Fails on a key no member read, the first left in QEMU's hash table.
    func rejectUnconsumedKeys() throws(OptionDiagnostic) {
        guard consumed.count < tableOrder.count else { return }
        var table = GLibHashTable()
        tableOrder.forEach { table.insert($0) }
        consumedInOrder.forEach { table.remove($0) }
        guard let leftover = table.firstKey else { return }
        throw syntax == .qemuOpts
            ? .invalidParameter(leftover)
            : OptionDiagnostic("Parameter '\(path)\(leftover)' is unexpected")
    }

    /// The value of `name`, marked consumed.
    private mutating func take(_ name: String) -> QObject? {
        guard let value = members.last(where: { $0.name == name })?.value else { return nil }
        if consumed.insert(name).inserted { consumedInOrder.append(name) }
        return value
    }

    /// An `int` member (`visit_type_int64()`).
    mutating func int64(_ name: String) throws(OptionDiagnostic) -> Int64? {
        switch syntax {
        case .qemuOpts: return try convert(name, expected: "an int64 value", OptionValue.int64)
        case .keyval: return try convert(name, expected: "integer", OptionValue.int64)
        case .json:
            guard let value = take(name) else { return nil }
            guard case .number(let number) = value, let integer = number.int64 else {
                throw .invalidParameterType(path + name, expected: "integer")
            }
            return integer
        }
    }

    /// A `uint64` member (`visit_type_uint64()`).
    mutating func uint64(_ name: String) throws(OptionDiagnostic) -> UInt64? {
        switch syntax {
        case .qemuOpts: return try convert(name, expected: "a uint64 value", OptionValue.uint64)
        case .keyval: return try convert(name, expected: "integer", OptionValue.wrappingUInt64)
        case .json:
            guard let value = take(name) else { return nil }
            // qobject_input_type_uint64() takes negative numbers modulo 2⁶⁴.
            guard case .number(let number) = value,
                  let integer = number.uint64 ?? number.int64.map({ UInt64(bitPattern: $0) })
            else { throw .invalidParameterValue(path + name, expected: "uint64") }
            return integer
        }
    }

    private mutating func convert<Value>(
        _ name: String, expected: String, _ parse: (String) -> Value?
    ) throws(OptionDiagnostic) -> Value? {
        guard let text = try string(name) else { return nil }
        guard let value = parse(text) else { throw .invalidParameterValue(path + name, expected: expected) }
        return value
    }
}
