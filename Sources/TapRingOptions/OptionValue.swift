/// Converters from option text to typed values, each accepting exactly what
/// its QEMU counterpart accepts. They return nil for text QEMU rejects; the
/// caller words the error.
enum OptionValue {
    /// `qapi_bool_parse()`: `on yes true y` and `off no false n`, case-sensitive.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "on", "yes", "true", "y": true
        case "off", "no", "false", "n": false
        default: nil
        }
    }

    /// The opts visitor's signed integer (`opts_type_int64()`): `strtoll()` in
    /// base 0 that consumes the whole text without overflowing.
    static func int64(_ text: String) -> Int64? {
        guard let integer = wholeInteger(text, base: 0) else { return nil }
        guard integer.isNegative else { return Int64(exactly: integer.magnitude) }
        guard integer.magnitude <= Int64.min.magnitude else { return nil }
        return Int64(truncatingIfNeeded: 0 &- integer.magnitude)
    }

    /// The opts visitor's unsigned integer (`opts_type_uint64()`): QEMU's
    /// `parse_uint()` in base 0, which is `strtoull()` refusing any minus sign.
    static func uint64(_ text: String) -> UInt64? {
        guard let integer = wholeInteger(text, base: 0), !integer.isNegative else { return nil }
        return integer.magnitude
    }

    /// The keyval visitor's unsigned integer (`qemu_strtou64()`): `strtoull()`
    /// in base 0 over all of `text`, which takes a minus sign and negates
    /// modulo 2⁶⁴ (`-1` is 2⁶⁴ − 1).
    static func wrappingUInt64(_ text: String) -> UInt64? {
        guard let integer = wholeInteger(text, base: 0) else { return nil }
        return integer.isNegative ? 0 &- integer.magnitude : integer.magnitude
    }

    /// A descriptor number as `qemu_parse_fd()` reads it: `strtol()` in base 10,
    /// from 0 to `INT_MAX` (so `-0` passes).
    static func fileDescriptor(_ text: String) -> Int32? {
        guard let integer = wholeInteger(text, base: 10), !integer.isNegative || integer.magnitude == 0
        else { return nil }
        return Int32(exactly: integer.magnitude)
    }

    /// A port number as `convert_host_port()` reads it: `strtol()` in base 0
    /// from the front of `text`, trailing junk ignored (`1234abc` is 1234),
    /// then cut to 16 bits (`70000` is 4464, `-1` is 65535).
    static func port(_ text: String) -> UInt16? {
        guard let scanned = ScannedInteger(scanning: Array(text.utf8), base: 0), let magnitude = scanned.magnitude
        else { return nil }
        // strtol() fails with ERANGE outside a long's range.
        guard magnitude <= (scanned.isNegative ? Int64.min.magnitude : UInt64(Int64.max)) else { return nil }
        return UInt16(truncatingIfNeeded: scanned.isNegative ? 0 &- magnitude : magnitude)
    }

    /// An integer that spans all of `text` and fits in 64 bits.
    private static func wholeInteger(_ text: String, base: Int) -> (isNegative: Bool, magnitude: UInt64)? {
        let bytes = Array(text.utf8)
        guard let scanned = ScannedInteger(scanning: bytes, base: base), scanned.end == bytes.count,
              let magnitude = scanned.magnitude
        else { return nil }
        return (scanned.isNegative, magnitude)
    }
}
