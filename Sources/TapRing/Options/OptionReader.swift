/// Reads typed members out of a parsed option the way QEMU's opts visitor
/// does (`qapi/opts-visitor.c`):
///
/// - the last occurrence of a key wins (`lookup_scalar()`);
/// - every key read is marked consumed, all its occurrences at once, so that
///   `rejectUnconsumedKeys()` can report what no member claimed.
///
/// Unlike QEMU, which reports the first leftover in hash-table order, the
/// leftover reported is the first in the order typed.
struct OptionReader {
    private let items: [QemuOpts.Item]
    private var consumed: Set<String> = []
    /// Warnings raised while converting values, in the order raised.
    private(set) var warnings: [String] = []

    init(_ opts: QemuOpts) {
        // Like the visitor's `fake_id_opt`, the id is read as an ordinary member.
        if let id = opts.id {
            items = [QemuOpts.Item(name: "id", value: id)] + opts.items
        } else {
            items = opts.items
        }
    }

    /// A string member; an empty value is a real empty string.
    mutating func string(_ name: String) -> String? {
        guard let value = items.last(where: { $0.name == name })?.value else { return nil }
        consumed.insert(name)
        return value
    }

    /// A boolean member.
    mutating func bool(_ name: String) throws(OptionDiagnostic) -> Bool? {
        try convert(name, expected: "'on' or 'off'", OptionValue.bool)
    }

    /// An `int32` member: parsed as int64, then range-checked, as
    /// `visit_type_int32()` does, with a message for each step.
    mutating func int32(_ name: String) throws(OptionDiagnostic) -> Int32? {
        guard let value = try convert(name, expected: "an int64 value", OptionValue.int64) else { return nil }
        guard let narrowed = Int32(exactly: value) else {
            throw .invalidParameterValue(name, expected: "int32_t")
        }
        return narrowed
    }

    /// A `uint32` member: parsed as uint64, then range-checked, as
    /// `visit_type_uint32()` does.
    mutating func uint32(_ name: String) throws(OptionDiagnostic) -> UInt32? {
        guard let value = try convert(name, expected: "a uint64 value", OptionValue.uint64) else { return nil }
        guard let narrowed = UInt32(exactly: value) else {
            throw .invalidParameterValue(name, expected: "uint32_t")
        }
        return narrowed
    }

    /// A `size` member, in bytes.
    mutating func size(_ name: String) throws(OptionDiagnostic) -> UInt64? {
        guard let text = string(name) else { return nil }
        guard let size = SizeValue(parsing: text) else {
            throw .invalidParameterValue(name, expected: "a size value")
        }
        if size.isHexWithSuffix { warnings.append(SizeValue.hexSuffixWarning(for: text)) }
        return size.bytes
    }

    /// Fails on the first key, in the order typed, that no member read
    /// (`opts_check_struct()`).
    func rejectUnconsumedKeys() throws(OptionDiagnostic) {
        if let leftover = items.first(where: { !consumed.contains($0.name) }) {
            throw .invalidParameter(leftover.name)
        }
    }

    private mutating func convert<Value>(
        _ name: String, expected: String, _ parse: (String) -> Value?
    ) throws(OptionDiagnostic) -> Value? {
        guard let text = string(name) else { return nil }
        guard let value = parse(text) else { throw .invalidParameterValue(name, expected: expected) }
        return value
    }
}
