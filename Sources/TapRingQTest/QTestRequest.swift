import TapRing

/// One command of QEMU's qtest text protocol, the subset a NIC test needs:
/// port I/O (for PCI configuration through 0xcf8/0xcfc), memory-mapped
/// reads and writes, guest RAM access and IRQ interception.
public enum QTestRequest: Equatable, Sendable {
    case portOut(width: Int, port: UInt16, value: UInt32)
    case portIn(width: Int, port: UInt16)
    case memoryRead(width: Int, address: UInt64)
    case memoryWrite(width: Int, address: UInt64, value: UInt64)
    /// `read ADDR SIZE`: bytes of guest memory, answered as one hex string.
    case read(address: UInt64, count: Int)
    /// `write ADDR SIZE 0xHEX`.
    case write(address: UInt64, bytes: [UInt8])
    /// `irq_intercept_in PATH`: report the interrupt lines from now on.
    case interceptInterrupts

    /// The largest `read` or `write` the server takes, so that a request
    /// cannot make it allocate without bound.
    public static let maximumTransfer = 1 << 24

    /// Parses one line, or says why it is not a request, in the words QEMU's
    /// qtest server uses.
    public static func parse(_ line: Substring) -> Result<QTestRequest, QTestFailure> {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let command = words.first else { return .failure(QTestFailure("Empty command")) }
        func number(_ index: Int, max: UInt64 = .max) -> UInt64? {
            guard index < words.count else { return nil }
            let text = words[index]
            let value = text.hasPrefix("0x") || text.hasPrefix("0X")
                ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text, radix: 10)
            return value.flatMap { $0 <= max ? $0 : nil }
        }
        let width: [Substring.SubSequence: Int] = ["b": 1, "w": 2, "l": 4, "q": 8]
        let malformed = Result<QTestRequest, QTestFailure>.failure(QTestFailure("malformed arguments to '\(command)'"))
        switch command {
        case "outb", "outw", "outl":
            guard let port = number(1, max: 0xFFFF), let value = number(2, max: 0xFFFF_FFFF) else { return malformed }
            return .success(.portOut(width: width[command.suffix(1)]!, port: UInt16(port), value: UInt32(value)))
        case "inb", "inw", "inl":
            guard let port = number(1, max: 0xFFFF) else { return malformed }
            return .success(.portIn(width: width[command.suffix(1)]!, port: UInt16(port)))
        case "readb", "readw", "readl", "readq":
            guard let address = number(1) else { return malformed }
            return .success(.memoryRead(width: width[command.suffix(1)]!, address: address))
        case "writeb", "writew", "writel", "writeq":
            guard let address = number(1), let value = number(2) else { return malformed }
            return .success(.memoryWrite(width: width[command.suffix(1)]!, address: address, value: value))
        case "read":
            guard let address = number(1), let count = number(2, max: UInt64(maximumTransfer)) else { return malformed }
            return .success(.read(address: address, count: Int(count)))
        case "write":
            guard let address = number(1), let count = number(2, max: UInt64(maximumTransfer)), words.count > 3,
                let bytes = hexBytes(words[3], count: Int(count))
            else { return malformed }
            return .success(.write(address: address, bytes: bytes))
        case "irq_intercept_in":
            return words.count > 1 ? .success(.interceptInterrupts) : malformed
        default:
            return .failure(QTestFailure("Unknown command '\(command)'"))
        }
    }

    /// `count` bytes from `0x`-prefixed hex digits; missing digits read as
    /// zero, as QEMU's server reads them.
    private static func hexBytes(_ text: Substring, count: Int) -> [UInt8]? {
        guard text.hasPrefix("0x") else { return nil }
        let digits = Array(text.utf8.dropFirst(2))
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<min(count, digits.count / 2) {
            guard let high = hexValue(digits[2 * index]), let low = hexValue(digits[2 * index + 1]) else { return nil }
            bytes[index] = high << 4 | low
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a qtest line could not be carried out; answered as `FAIL <reason>`.
public struct QTestFailure: Error, Equatable, Sendable {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}
