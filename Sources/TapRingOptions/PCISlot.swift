/// Where a PCI device sits on its bus: a slot and a function, written as
/// QEMU writes them, `03.0`.
public struct PCISlot: Hashable, Sendable, CustomStringConvertible {
    /// The device number, 0...31.
    public var slot: UInt8
    /// The function number, 0...7.
    public var function: UInt8

    /// Creates a slot; `slot` must be at most 31 and `function` at most 7.
    public init(slot: UInt8, function: UInt8 = 0) {
        precondition(slot <= 31 && function <= 7, "PCI slot \(slot) function \(function) out of range")
        self.slot = slot
        self.function = function
    }

    /// Reads a device's `addr` property as QEMU's `set_pci_devfn()` does:
    /// `sscanf(str, "%x.%x%n")`, or failing that `sscanf(str, "%x%n")`, that
    /// consumes all of `text`, with the slot at most 31 and the function at most 7.
    ///
    /// The C library's `%x` has quirks that carry over: blanks before each
    /// number, a sign, a `0x` prefix with no digits after it (`0x` is 0),
    /// and values cut to 32 bits.
    init?(qemuAddress text: String) {
        let bytes = Array(text.utf8)
        var slot: UInt32
        var function: UInt32 = 0
        var end: Int
        if let first = HexScan(bytes, from: 0), first.end < bytes.count, bytes[first.end] == UInt8(ascii: "."),
           let second = HexScan(bytes, from: first.end + 1) {
            (slot, function, end) = (first.value, second.value, second.end)
        } else if let only = HexScan(bytes, from: 0) {
            (slot, end) = (only.value, only.end)
        } else {
            return nil
        }
        guard end == bytes.count, slot <= 31, function <= 7 else { return nil }
        self.init(slot: UInt8(slot), function: UInt8(function))
    }

    /// `%02x.%x`, as `info qtree` prints `addr`.
    public var description: String {
        (slot < 16 ? "0" : "") + String(slot, radix: 16) + "." + String(function, radix: 16)
    }
}

/// One `%x` conversion of glibc's `sscanf()`: blanks, an optional sign, an
/// optional `0` then `x`, hexadecimal digits; the digits converted by
/// `strtoul()` and stored in an `unsigned int`.
private struct HexScan {
    var value: UInt32
    /// The offset of the first byte the conversion did not take.
    var end: Int

    init?(_ bytes: [UInt8], from start: Int) {
        var index = start
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || (9...13).contains(bytes[index]) {
            index += 1
        }
        var isNegative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            isNegative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        // A leading `0` is a digit in itself; an `x` after it is skipped
        // even when no digit follows.
        var hasDigits = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
            hasDigits = true
            index += 1
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "x") { index += 1 }
        }
        var magnitude: UInt64? = 0
        while index < bytes.count, let digit = Self.hexDigit(bytes[index]) {
            hasDigits = true
            magnitude = magnitude.flatMap { $0.multipliedReportingOverflow(by: 16).overflow ? nil : $0 << 4 | digit }
            index += 1
        }
        guard hasDigits else { return nil }
        // strtoul() saturates on overflow and otherwise negates in 64 bits.
        let long = magnitude.map { isNegative ? 0 &- $0 : $0 } ?? .max
        value = UInt32(truncatingIfNeeded: long)
        end = index
    }

    private static func hexDigit(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
