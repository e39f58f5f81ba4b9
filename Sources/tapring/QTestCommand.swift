import ArgumentParser
import Foundation
import Glibc
import TapRing
import TapRingQTest

struct QTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qtest",
        abstract: "Serve QEMU's qtest protocol on stdin/stdout for the NICs of a QEMU networking command line.",
        discussion: """
            Answers the qtest commands a NIC test uses (outb/w/l and inb/w/l for PCI configuration through \
            0xcf8/0xcfc, readb/w/l/q, writeb/w/l/q, read, write, irq_intercept_in) for a machine with q35's \
            guest memory (RAM from address 0, the option-ROM area, the firmware below 1 MiB and 4 GiB) and \
            the e1000s of the command line on PCI bus 0:

              tapring qtest -m 64 -netdev socket,id=n0,fd=3 -device e1000,netdev=n0,addr=03.0
            """
    )

    @Option(name: .customShort("m"), parsing: .unconditional, help: "MiB of guest RAM.")
    var memory = 128

    @Option(name: .customLong("bios", withSingleDash: true),
            help: "Firmware image (a whole number of 64 KiB); by default 64 KiB of HLT instructions.")
    var firmwarePath: String?

    @Argument(parsing: .captureForPassthrough, help: "QEMU networking options (-netdev ..., -device e1000,...).")
    var qemuOptions: [String] = []

    func validate() throws {
        try requestHelpIfAsked(qemuOptions, for: self)
    }

    func run() throws {
        do {
            try serve()
        } catch {
            printError("tapring: \(error)")
            throw ExitCode.failure
        }
    }

    private func serve() throws(Failure) {
        let plan = try readPlan(qemuOptions, machine: .q35)
        let machine: QTestMachine
        if let help = plan.help { answer(help) }
        do {
            machine = try QTestMachine(megabytes: memory, firmware: try firmware(), write: writeStandardOutput)
        } catch {
            throw Failure("\(error)")
        }
        let slots = plan.pciAddresses.map { Int($0.slot) }
        var configuration = EngineConfiguration()
        // Slots hold QEMU's largest frame: 64 KiB from the guest, and up to
        // NET_BUFSIZE from a socket.
        configuration.slotSize = EngineConfiguration.longestFrameSlotSize
        configuration.slotsPerReactor = 512
        // One NIC answering a test driver, whose steps give it fixed times
        // (0.15 s for a frame to arrive): the reactor runs wherever a core
        // is free, not on CPU 0 beside every other pinned reactor.
        configuration.pinsReactors = false
        let engine: Engine
        do throws(EngineError) {
            var next = 0
            engine = try Engine(plan, configuration: configuration, diagnostics: printWarning) { _ in
                defer { next += 1 }
                return machine.attachment(slot: slots[next])
            }
            for (nic, slot) in zip(engine.nics, slots) {
                machine.plug(nic, slot: slot)
            }
            plan.peerWarnings.forEach(printWarning)
            engine.warnings.forEach { printError("tapring: warning: \($0)") }
            try engine.start()
        } catch {
            throw Failure(error.description)
        }
        // A client that goes away leaves writes failing with EPIPE, and the
        // next read at the end of its input: not a SIGPIPE that kills the server.
        signal(SIGPIPE, SIG_IGN)
        defer { engine.stop() }
        var lines = LineReader(descriptor: 0, limit: Self.longestLine)
        do {
            while let line = try lines.next() {
                machine.handle(line)
            }
        } catch {
            switch error {
            case .tooLong(let limit):
                throw Failure("qtest: a line of more than \(limit) bytes without a newline; closing the connection")
            case .readFailed(let code):
                throw Failure("qtest: reading the client's commands: \(String(cString: strerror(code)))")
            }
        }
    }

    /// The bytes of `-bios`, or the default firmware.
    private func firmware() throws(Failure) -> [UInt8] {
        guard let firmwarePath else { return QTestMachine.haltingFirmware }
        let bytes: [UInt8]
        do {
            let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: firmwarePath))
            defer { try? file.close() }
            bytes = [UInt8](try file.read(upToCount: QTestMachine.largestFirmware + 1) ?? Data())
        } catch {
            throw Failure("-bios \(firmwarePath): cannot read it (\(error.localizedDescription))")
        }
        guard QTestMachine.takesFirmware(ofSize: bytes.count) else {
            throw Failure("-bios \(firmwarePath): \(bytes.count) bytes; a firmware is a whole number of 64 KiB, "
                + "at most 16 MiB")
        }
        return bytes
    }

    /// The longest command: a `write` of the largest transfer, in hex, with
    /// its address and size.
    static let longestLine = 2 * QTestRequest.maximumTransfer + 128
}

/// Writes all of `text` to standard output, unbuffered, once the client has
/// read what came before: a client that reads one line per wake-up, as the
/// e1000 oracle does, would otherwise find an `IRQ` line and the answer after
/// it in one read and wait for the answer forever. QEMU's slower path gives
/// the client that gap without trying; here it is waited for, at most 100 ms.
@Sendable
private func writeStandardOutput(_ text: String) {
    var unread: Int32 = 0
    for _ in 0..<5000 where ioctl(1, UInt(FIONREAD), &unread) == 0 && unread > 0 {
        usleep(20)
    }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}
