/// The integer C's `strtoull()` and `strtoll()` read from the front of a
/// string in the C locale: leading blanks, an optional sign, an optional base
/// prefix, then digits.
///
/// QEMU's number parsers are all built on these functions, so their quirks
/// (`" 5"`, `"+5"`, `"0x10"`, octal `"010"`) are QEMU's too.
struct ScannedInteger: Equatable, Sendable {
    /// Whether a `-` preceded the digits.
    var isNegative: Bool
    /// The digits' value, or nil when it does not fit in 64 bits (`ERANGE`).
    var magnitude: UInt64?
    /// The offset of the first byte after the digits.
    var end: Int

    /// Scans the front of `bytes`, or returns nil when no digits follow the
    /// blanks and sign (C's "no conversion").
    ///
    /// - Parameter base: 10; 16, where a `0x` prefix is optional; or 0, where
    ///   the prefix decides: `0x` hexadecimal, `0` octal, otherwise decimal.
    init?(scanning bytes: [UInt8], base: Int) {
        var index = bytes.firstIndex { !$0.isCSpace } ?? bytes.endIndex
        isNegative = false
        if index < bytes.endIndex, bytes[index] == .minus || bytes[index] == .plus {
            isNegative = bytes[index] == .minus
            index += 1
        }
        var radix = base
        if base == 0 || base == 16, Self.hasHexPrefix(bytes, at: index) {
            radix = 16
            index += 2
        } else if base == 0 {
            radix = index < bytes.endIndex && bytes[index] == .zero ? 8 : 10
        }

        let digitsStart = index
        var value: UInt64? = 0
        while index < bytes.endIndex, let digit = bytes[index].digitValue, digit < radix {
            value = value.flatMap { Self.append(digit, to: $0, radix: radix) }
            index += 1
        }
        guard index > digitsStart else { return nil }
        magnitude = value
        end = index
    }

    /// `0x` or `0X` counts as a prefix only when a hexadecimal digit follows;
    /// otherwise C reads just the `0`.
    private static func hasHexPrefix(_ bytes: [UInt8], at index: Int) -> Bool {
        guard index + 2 < bytes.endIndex, bytes[index] == .zero,
              bytes[index + 1] | 0x20 == UInt8(ascii: "x"),
              let digit = bytes[index + 2].digitValue
        else { return false }
        return digit < 16
    }

    private static func append(_ digit: Int, to value: UInt64, radix: Int) -> UInt64? {
        let (product, productOverflow) = value.multipliedReportingOverflow(by: UInt64(radix))
        let (sum, sumOverflow) = product.addingReportingOverflow(UInt64(digit))
        return productOverflow || sumOverflow ? nil : sum
    }
}

extension UInt8 {
    /// C's `isspace()` in the C locale.
    fileprivate var isCSpace: Bool {
        self == UInt8(ascii: " ") || (UInt8(ascii: "\t")...UInt8(ascii: "\r")).contains(self)
    }

    /// The value of a digit in bases up to 36, or nil for any other byte.
    fileprivate var digitValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(self - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(self - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    fileprivate static let minus = UInt8(ascii: "-")
    fileprivate static let plus = UInt8(ascii: "+")
    fileprivate static let zero = UInt8(ascii: "0")
}
