/// A `-device` property's value as typed: text from `-device e1000,...`,
/// which the keyval visitor converts to the property's type, or a value from
/// `-device {...}`, which must have the property's JSON type already
/// (`object_set_properties_from_keyval()` with `from_json`).
enum PropertyValue: Equatable, Sendable {
    case text(String)
    case json(QObject)

    /// A `str` property.
    func string(_ name: String) throws(OptionDiagnostic) -> String {
        switch self {
        case .text(let text), .json(.string(let text)): return text
        case .json: throw .invalidParameterType(name, expected: "string")
        }
    }

    /// A `bool` property, or a bit of one.
    func bool(_ name: String) throws(OptionDiagnostic) -> Bool {
        switch self {
        case .text(let text):
            guard let flag = OptionValue.bool(text) else {
                throw .invalidParameterValue(name, expected: "'on' or 'off'")
            }
            return flag
        case .json(.bool(let flag)): return flag
        case .json: throw .invalidParameterType(name, expected: "boolean")
        }
    }

    /// An integer property, as `visit_type_int64()` reads it.
    func int64(_ name: String) throws(OptionDiagnostic) -> Int64 {
        switch self {
        case .text(let text):
            guard let value = OptionValue.int64(text) else { throw .invalidParameterValue(name, expected: "integer") }
            return value
        case .json(.number(let number)):
            guard let value = number.int64 else { throw .invalidParameterType(name, expected: "integer") }
            return value
        case .json: throw .invalidParameterType(name, expected: "integer")
        }
    }

    /// A `uint32` property (`set_uint32()`): a uint64, then range-checked.
    func uint32(_ name: String) throws(OptionDiagnostic) -> UInt32 {
        guard let value = UInt32(exactly: try uint64(name)) else {
            throw .invalidParameterValue(name, expected: "uint32_t")
        }
        return value
    }

    /// An unsigned property, as `visit_type_uint64()` reads it: both visitors
    /// take a negative number modulo 2⁶⁴.
    func uint64(_ name: String) throws(OptionDiagnostic) -> UInt64 {
        switch self {
        case .text(let text):
            guard let value = OptionValue.wrappingUInt64(text) else {
                throw .invalidParameterValue(name, expected: "integer")
            }
            return value
        case .json(.number(let number)):
            guard let value = number.uint64 ?? number.int64.map({ UInt64(bitPattern: $0) }) else {
                throw .invalidParameterValue(name, expected: "uint64")
            }
            return value
        case .json: throw .invalidParameterValue(name, expected: "uint64")
        }
    }
}
