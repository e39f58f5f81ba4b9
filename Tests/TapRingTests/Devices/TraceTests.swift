import Foundation
import Glibc
import Testing

@testable import TapRing
@testable import TapRingHarness

/// Trace points print where QEMU's would, and only when asked.
@Suite(.serialized) struct TraceTests {
    @Test func categoriesParseAsTheCommandLineGivesThem() {
        #expect(Trace.Categories(parsing: "e1000,hub") == [.e1000, .hub])
        #expect(Trace.Categories(parsing: "all") == [.e1000, .hub, .reactor])
        #expect(Trace.Categories(parsing: "e1000,bogus") == nil)
        #expect(Trace.Categories(parsing: "") == nil)
    }

    @Test func theInterruptLineAndAnOverrunAreTraced() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        // Other tests' NICs may trace into the pipe meanwhile: never wait on it.
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        let guest = try GuardedGuest()
        Trace.enable(.e1000, writingTo: ends[1])
        defer { Trace.enable([]) }
        guest.write(E1000Register.ims, E1000Interrupt.rxo)
        guest.write(E1000Register.ics, E1000Interrupt.rxo)
        _ = guest.read(E1000Register.icr)
        // Three buffers of 256 bytes for a frame that needs four: an overrun
        // (`e1000_receiver_overrun`), not a frame left waiting.
        guest.enableReceive(bufferSize: 256, descriptors: 4, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | 0x3_0000)
        guest.harness.inject(GuardedGuest.frame(length: 1000))
        guest.harness.service()
        Trace.enable([])
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let count = read(ends[0], &bytes, bytes.count)
        let lines = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self).split(separator: "\n")
        #expect(lines.contains("trace e1000: interrupt raised: ICR 0x40 IMS 0x40"), "\(lines)")
        #expect(lines.contains("trace e1000: interrupt cleared: ICR 0x0 IMS 0x40"), "\(lines)")
        #expect(lines.contains("trace e1000: receiver overrun: RDH 0 RDT 3"), "\(lines)")
    }
}
