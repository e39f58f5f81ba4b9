import Testing
@testable import TapRing
@testable import TapRingOptions

/// Value conversions, each matched against its QEMU counterpart.
@Suite struct OptionValueTests {
    @Test(arguments: [
        ("on", true), ("yes", true), ("true", true), ("y", true),
        ("off", false), ("no", false), ("false", false), ("n", false),
    ])
    func booleans(text: String, value: Bool) {
        #expect(OptionValue.bool(text) == value)
    }

    @Test(arguments: ["ON", "Yes", "1", "0", "", "maybe"])
    func rejectedBooleans(text: String) {
        #expect(OptionValue.bool(text) == nil)
    }

    @Test(arguments: [
        ("0", 0), ("7", 7), ("-1", -1), ("+7", 7), (" 5", 5), ("\t\n5", 5),
        ("0x10", 16), ("0X1f", 31), ("-0x10", -16), ("010", 8), ("-010", -8),
        ("9223372036854775807", .max), ("-9223372036854775808", .min),
    ] as [(String, Int64)])
    func signedIntegers(text: String, value: Int64) {
        #expect(OptionValue.int64(text) == value)
    }

    @Test(arguments: [
        "", " ", "-", "abc", "5 ", "5x", "08", "0x", "0xg", "1.5", "1k",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999",
    ])
    func rejectedSignedIntegers(text: String) {
        #expect(OptionValue.int64(text) == nil)
    }

    @Test(arguments: [
        ("0", 0), ("1", 1), ("+1", 1), (" 1", 1), ("0x10", 16), ("017", 15),
        ("18446744073709551615", .max),
    ] as [(String, UInt64)])
    func unsignedIntegers(text: String, value: UInt64) {
        #expect(OptionValue.uint64(text) == value)
    }

    @Test(arguments: ["", "-1", "-0", " -1", "abc", "1 ", "18446744073709551616"])
    func rejectedUnsignedIntegers(text: String) {
        #expect(OptionValue.uint64(text) == nil)
    }

    @Test(arguments: [("0", 0), ("3", 3), ("+3", 3), (" 3", 3), ("-0", 0), ("010", 10), ("2147483647", .max)]
        as [(String, Int32)])
    func fileDescriptors(text: String, value: Int32) {
        #expect(OptionValue.fileDescriptor(text) == value)
    }

    @Test(arguments: ["", "abc", "-1", "0x3", "3 ", "2147483648", "99999999999999999999"])
    func rejectedFileDescriptors(text: String) {
        #expect(OptionValue.fileDescriptor(text) == nil)
    }

    @Test(arguments: [
        ("0", 0), ("1024", 1024), (" 5", 5), ("+5", 5), ("1B", 1), ("1b", 1),
        ("1k", 1 << 10), ("1K", 1 << 10), ("2m", 2 << 20), ("2M", 2 << 20), ("3g", 3 << 30),
        ("1T", 1 << 40), ("1p", 1 << 50), ("1E", 1 << 60), ("15E", 15 << 60),
        ("1.5k", 1536), ("0.5k", 512), ("0.25K", 256), ("1.k", 1024), ("1.", 1), ("1.0", 1),
        ("1.0005k", 1025), ("1.0004k", 1024), ("1.5M", 1536 << 10),
        ("0x10", 16), ("0X1f", 31), ("0xE", 14), ("0x1B", 27), ("0x10k", 16 << 10),
        ("18446744073709551615", .max), ("15.99999999999999999999E", 15 << 60),
    ] as [(String, UInt64)])
    func sizes(text: String, bytes: UInt64) {
        #expect(SizeValue(parsing: text)?.bytes == bytes)
    }

    @Test func hexWithSuffixIsFlagged() {
        #expect(SizeValue(parsing: "0x10k")?.isHexWithSuffix == true)
        #expect(SizeValue(parsing: "0x10")?.isHexWithSuffix == false)
        #expect(SizeValue(parsing: "16k")?.isHexWithSuffix == false)
    }

    @Test(arguments: [
        "", "abc", "k", "-1", "-0", " -1", "1kb", "1e3", "1.5e1k", "1.5", "1.5B", ".5k",
        "0x", "0x1.8k", "0x1.8", "1..k", "1 k", "5 ", "16E", "18446744073709551616",
        "16384P", "0x10000000000000000",
    ])
    func rejectedSizes(text: String) {
        #expect(SizeValue(parsing: text) == nil)
    }

    @Test(arguments: ["a", "a.b-c_d", "Z9", "net-0.x_y"])
    func identifiers(id: String) {
        #expect(id.isQemuIdentifier)
    }

    @Test(arguments: ["", "1a", "a@b", "-a", "_a", "a b", "é", "#net060", "a,b"])
    func rejectedIdentifiers(id: String) {
        #expect(!id.isQemuIdentifier)
    }
}
