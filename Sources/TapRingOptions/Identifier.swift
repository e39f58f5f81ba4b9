extension String {
    /// Whether QEMU's `id_wellformed()` accepts this as an id (`util/id.c`):
    /// an ASCII letter, then ASCII letters, digits, `-`, `.` and `_`.
    var isQemuIdentifier: Bool {
        guard let first = utf8.first, first.isASCIILetter else { return false }
        return utf8.dropFirst().allSatisfy { byte in
            byte.isASCIILetter || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20)
    }
}
