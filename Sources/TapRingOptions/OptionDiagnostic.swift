/// A problem with one option's contents, before it is tied to where the
/// option appeared on the command line.
///
/// The factory methods reproduce QEMU's `QERR_*` texts (`include/qapi/qmp/qerror.h`).
struct OptionDiagnostic: Error, Equatable, Sendable {
    var message: String
    var hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    /// `QERR_INVALID_PARAMETER`: a key nothing consumed.
    static func invalidParameter(_ name: String) -> Self {
        Self("Invalid parameter '\(name)'")
    }

    /// `QERR_MISSING_PARAMETER`: a mandatory member is absent.
    static func missingParameter(_ name: String) -> Self {
        Self("Parameter '\(name)' is missing")
    }

    /// `QERR_INVALID_PARAMETER_VALUE`: a value of the wrong kind.
    static func invalidParameterValue(_ name: String, expected: String) -> Self {
        Self("Parameter '\(name)' expects \(expected)")
    }

    /// `QERR_INVALID_PARAMETER_TYPE`: a JSON value, or a keyval struct, of the wrong type.
    static func invalidParameterType(_ name: String, expected: String) -> Self {
        Self("Invalid parameter type for '\(name)', expected: \(expected)")
    }

    /// An enum or union discriminator given a value it does not list.
    static func unacceptedValue(_ value: String, for name: String) -> Self {
        Self("Parameter '\(name)' does not accept value '\(value)'")
    }

    /// `qemu_opts_create()` given an id `id_wellformed()` refuses.
    static let malformedIdentifier = Self(
        "Parameter 'id' expects an identifier",
        hint: "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter."
    )

    /// `object_property_find_err()`: a device has no property `name`.
    static func propertyNotFound(_ name: String, of typeName: String) -> Self {
        Self("Property '\(typeName).\(name)' not found")
    }

    /// `object_property_set()` on a property without a setter.
    static func propertyNotWritable(_ name: String, of typeName: String) -> Self {
        Self("Property '\(typeName).\(name)' is not writable")
    }

    /// `QERR_PROPERTY_VALUE_BAD`: a device property's text is malformed.
    static func propertyValueBad(_ value: String, for name: String, of typeName: String) -> Self {
        Self("Property '\(typeName).\(name)' doesn't take value '\(value)'")
    }

    /// `error_set_from_qdev_prop_error()` for `-ENOENT`: the value names nothing.
    static func propertyValueNotFound(_ value: String, for name: String, of typeName: String) -> Self {
        Self("Property '\(typeName).\(name)' can't find value '\(value)'")
    }

    /// `error_set_from_qdev_prop_error()` for `-EEXIST`: the value names something taken.
    static func propertyValueInUse(_ value: String, for name: String, of typeName: String) -> Self {
        Self("Property '\(typeName).\(name)' can't take value '\(value)', it's in use")
    }

    /// A QEMU parameter that TapRing does not implement.
    static func unsupportedParameter(_ name: String) -> Self {
        Self("Parameter '\(name)' is not supported by TapRing")
    }
}
