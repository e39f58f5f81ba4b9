/// A byte count as QEMU 7.2's `qemu_strtosz()` reads it (`do_strtosz()` in
/// `util/cutils.c`): a decimal number with an optional fraction, or a
/// hexadecimal one, then an optional suffix `B K M G T P E` in either case,
/// each a power of 1024.
///
/// `1.5k` is 1536; a fraction needs a suffix above `B`; `1e3`, `1kb`, `-1`,
/// `0x1.8` and anything past 2⁶⁴ − 1 are rejected.
struct SizeValue: Equatable, Sendable {
    var bytes: UInt64
    /// Whether a hexadecimal number carried a suffix (`0x20M`), which 7.2
    /// accepts with a deprecation warning and 8.0 rejects.
    var isHexWithSuffix: Bool

    /// The warning QEMU 7.2 prints for a hexadecimal number with a suffix.
    static func hexSuffixWarning(for text: String) -> String {
        "Using a multiplier suffix on hex numbers is deprecated: \(text)"
    }

    init?(parsing text: String) {
        let bytes = Array(text.utf8)
        // The integral part, as decimal; blanks and `+` pass, `-` does not.
        guard let integral = ScannedInteger(scanning: bytes, base: 10), !integral.isNegative,
              var value = integral.magnitude
        else { return nil }
        var end = integral.end
        var fraction: UInt64 = 0  // 0.64 fixed point
        var isHex = false

        if value == 0, end < bytes.count, bytes[end] | 0x20 == UInt8(ascii: "x") {
            // Looks like hex: reparse, and insist on no fraction.
            guard let hex = ScannedInteger(scanning: bytes, base: 16), let hexValue = hex.magnitude,
                  hex.end == bytes.count || bytes[hex.end] != .dot
            else { return nil }
            (value, end, isHex) = (hexValue, hex.end, true)
        } else if end < bytes.count, bytes[end] == .dot {
            let digits = bytes[(end + 1)...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            end += 1 + digits.count
            // QEMU reads the fraction with strtod(), so `1.k` works and an
            // exponent makes the whole text invalid.
            if !digits.isEmpty {
                guard !Self.hasExponent(bytes, at: end),
                      let decimal = Double("0." + String(decoding: digits, as: UTF8.self))
                else { return nil }
                // A fraction that rounds to 1.0 overflows QEMU's `(uint64_t)` cast,
                // which gives 0 on x86-64: `15.99999999999999999999E` is 15E.
                let scaled = decimal * 0x1p64
                fraction = scaled < 0x1p64 ? UInt64(scaled) : 0
            }
        }

        let suffix = end < bytes.count ? Self.multiplier(for: bytes[end]) : nil
        if suffix != nil { end += 1 }
        guard end == bytes.count else { return nil }
        let multiplier = suffix ?? 1
        isHexWithSuffix = isHex && suffix != nil

        if multiplier == 1 {
            // A fraction of a byte is meaningless.
            guard fraction == 0 else { return nil }
            self.bytes = value
        } else {
            // 64.64 fixed point times the multiplier, rounding half up.
            let whole = value.multipliedFullWidth(by: multiplier)
            let scaledFraction = fraction.multipliedFullWidth(by: multiplier)
            let (sum, carry) = whole.low.addingReportingOverflow(scaledFraction.high)
            let (rounded, roundingCarry) = sum.addingReportingOverflow(scaledFraction.low >> 63)
            guard whole.high == 0, !carry, !roundingCarry else { return nil }
            self.bytes = rounded
        }
    }

    /// `suffix_mul()` with a unit of 1024.
    private static func multiplier(for suffix: UInt8) -> UInt64? {
        switch suffix | 0x20 {
        case UInt8(ascii: "b"): 1
        case UInt8(ascii: "k"): 1 << 10
        case UInt8(ascii: "m"): 1 << 20
        case UInt8(ascii: "g"): 1 << 30
        case UInt8(ascii: "t"): 1 << 40
        case UInt8(ascii: "p"): 1 << 50
        case UInt8(ascii: "e"): 1 << 60
        default: nil
        }
    }

    /// Whether strtod() would read an exponent at `index`: `e` or `E`, an
    /// optional sign, then a digit.
    private static func hasExponent(_ bytes: [UInt8], at index: Int) -> Bool {
        guard index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") else { return false }
        var next = index + 1
        if next < bytes.count, bytes[next] == UInt8(ascii: "+") || bytes[next] == UInt8(ascii: "-") {
            next += 1
        }
        return next < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[next])
    }
}

extension UInt8 {
    fileprivate static let dot = UInt8(ascii: ".")
}
