import Foundation
import Glibc
import Testing

/// `tapring` as a hostile user drives it: asking each subcommand for help,
/// values that are no values, signals QEMU ends on, and a qtest client that
/// floods or goes away.
struct CommandLineHardeningTests {
    private func run(_ arguments: [String], input: Data? = nil, seconds: Double = 20)
        throws -> (status: Int32, reason: Process.TerminationReason, output: String, errors: String)
    {
        let process = Process()
        process.executableURL = TapRingBinary.url
        process.arguments = arguments
        let output = Pipe(), errors = Pipe(), feed = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : feed
        try process.run()
        if let input {
            // The child may stop reading and exit: a failed write, not a SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
            try? feed.fileHandleForWriting.write(contentsOf: input)
            try? feed.fileHandleForWriting.close()
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, text, errorText)
    }

    @Test(arguments: [["run", "--help"], ["run", "-h"], ["bench", "--help"], ["qtest", "--help"],
                      ["run", "--stats", "2", "--help"]])
    func everySubcommandHasHelp(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("USAGE: tapring \(arguments[0])"), "\(result.output)")
    }

    @Test(arguments: [
        (["run", "--reactors", "-1"], "--reactors: between 1 and 64, not -1"),
        (["run", "--stats", "-1"], "--stats: a number of seconds from 0, not -1.0"),
        (["run", "--duration", "nan"], "--duration: a number of seconds above 0, not nan"),
        (["run", "--duration", "-5"], "--duration: a number of seconds above 0, not -5.0"),
        (["bench", "--duration", "inf"], "--duration: a number of seconds above 0, not inf"),
        (["run", "--trace", "e1000,tx"], "--trace e1000,tx: the categories are e1000, hub, reactor, all"),
    ])
    func valuesThatAreNoValuesAreNamed(arguments: [String], message: String) throws {
        let result = try run(arguments)
        #expect(result.status != 0)
        #expect(result.errors.contains(message), "\(result.errors)")
    }

    /// QEMU ends on SIGHUP as on SIGTERM: statistics printed, taps removed.
    @Test(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
    func sighupEndsARunCleanly() throws {
        let name = Kernel.uniqueName("trh")
        let process = Process()
        process.executableURL = TapRingBinary.url
        process.arguments = ["run", "--stats", "0", "-netdev", "tap,id=a,ifname=\(name),script=no,downscript=no",
                             "-netdev", "hubport,id=p,hubid=0,netdev=a"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var waited = 0
        while if_nametoindex(name) == 0 && waited < 100 {
            usleep(50_000)
            waited += 1
        }
        kill(process.processIdentifier, SIGHUP)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(text.contains("a"), "the final statistics: \(text)")
        #expect(if_nametoindex(name) == 0, "the tap it created is gone")
    }

    /// A line without end is refused once it outgrows the longest command.
    @Test func qtestBoundsALine() throws {
        let flood = Data(repeating: UInt8(ascii: "x"), count: 40 << 20)
        let result = try run(["qtest", "-m", "1", "-device", "e1000"], input: flood)
        #expect(result.status == 1)
        #expect(result.errors.contains("qtest: a line of more than 33554560 bytes without a newline"),
                "\(result.errors)")
    }

    /// `-bios` names itself: a file that cannot be read, one that is no firmware.
    @Test func qtestNamesABadFirmware() throws {
        let missing = try run(["qtest", "-bios", "/nonexistent/firmware.bin", "-device", "e1000"])
        #expect(missing.status == 1)
        #expect(missing.errors.contains("-bios /nonexistent/firmware.bin: cannot read it"), "\(missing.errors)")
        let path = NSTemporaryDirectory() + "tapring-firmware-\(getpid()).bin"
        try Data(count: 1000).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let short = try run(["qtest", "-bios", path, "-device", "e1000"])
        #expect(short.status == 1)
        #expect(short.errors.contains("-bios \(path): 1000 bytes; a firmware is a whole number of 64 KiB"),
                "\(short.errors)")
    }

    /// A client that closes its end while answers are due: no SIGPIPE.
    @Test func qtestOutlivesItsClient() throws {
        let process = Process()
        process.executableURL = TapRingBinary.url
        process.arguments = ["qtest", "-m", "1", "-device", "e1000"]
        let output = Pipe(), feed = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = feed
        try process.run()
        try output.fileHandleForReading.close()
        try feed.fileHandleForWriting.write(contentsOf: Data(String(repeating: "readl 0x0\n", count: 1000).utf8))
        try feed.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
