import CLinux
import Foundation
import Glibc
import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingHarness
@testable import TapRingOptions

/// The device process's side of multi-process QEMU (QEMU 7.2's
/// `x-pci-proxy-dev`), driven byte for byte over a socketpair: the realize
/// sequence, BARs, the INTx line, guest memory tables, reset, and every way
/// a broken or hostile VM side can break the protocol.
@Suite(.timeLimit(.minutes(1)))
struct MPQemuProtocolTests {
    static let bar0: UInt64 = 0xFEBC_0000
    static let bar1: UInt64 = 0xC000

    /// A function set up as firmware leaves it: BARs placed, memory and I/O
    /// decoding and bus mastering on.
    private func enabledProxy() throws -> FakeProxy {
        let proxy = try FakeProxy()
        proxy.configWrite(0x10, UInt32(Self.bar0))
        proxy.configWrite(0x14, UInt32(Self.bar1))
        proxy.configWrite(0x04, 0x7, width: 2)
        return proxy
    }

    @Test func realizeSequenceProbesTheFunctionAsQEMUsProxyDoes() throws {
        let proxy = try FakeProxy()
        let ram = try sharedMemoryFile(byteCount: 1 << 20)
        defer { close(ram) }
        proxy.syncSystemMemory([(0, 0xA_0000, 0, ram), (0xC_0000, 0x4_0000, 0xC_0000, ram)])
        let (trigger, resample) = (eventfd(0, 0), eventfd(0, 0))
        proxy.send(6, descriptors: [trigger, resample])
        close(trigger)
        close(resample)
        #expect(proxy.configRead(0x00, width: 2) == 0x8086)
        #expect(proxy.configRead(0x02, width: 2) == 0x100E)
        #expect(proxy.configRead(0x0A, width: 2) == 0x0200)
        #expect(proxy.configRead(0x3D, width: 1) == 1, "interrupt pin A, as the proxy routes")
        // BAR0 128 KiB of memory; BAR1 64 bytes of I/O with every upper bit set.
        #expect(proxy.probeBAR(0x10) == 0xFFFE_0000)
        #expect(proxy.probeBAR(0x14) == 0xFFFF_FFC1)
        for offset: UInt32 in [0x18, 0x1C, 0x20, 0x24, 0x28, 0x30] {
            #expect(proxy.probeBAR(offset) == 0, "offset \(offset) must read 0, or the proxy maps a bogus BAR")
        }
        #expect(proxy.configRead(0x2E, width: 4) == 0x1100, "the subsystem ID, the ROM BAR's byte masked")
        #expect(proxy.server.function.mappedFiles == 1, "one memfd behind both regions, mapped once")
        #expect(proxy.diagnostics.isEmpty, "\(proxy.diagnostics)")
    }

    @Test func barsDecodeOnlyWhereAndWhileTheCommandRegisterSays() throws {
        let proxy = try enabledProxy()
        #expect(proxy.barRead(Self.bar0 + 0x8) == 0x8008_0783, "STATUS at its reset value")
        // QEMU 7.2's I/O BAR reads 0 and drops writes (e1000_io_read/write).
        #expect(proxy.barWrite(Self.bar1, 0x8, memory: false) == 0)
        #expect(proxy.barRead(Self.bar1 + 4, memory: false) == 0)
        #expect(proxy.barRead(Self.bar0 + 0x2_0000) == UInt64.max, "one past BAR0")
        #expect(proxy.barRead(Self.bar0 + 0x1_FFFE) == UInt64.max, "4 bytes across BAR0's end")
        #expect(proxy.barRead(Self.bar0, width: 3) == UInt64.max, "a width the proxy never sends")
        proxy.configWrite(0x04, 0x4, width: 2)
        #expect(proxy.barRead(Self.bar0 + 0x8) == UInt64.max, "memory decoding off")
        #expect(proxy.barRead(Self.bar1, memory: false) == UInt64.max, "I/O decoding off")
        #expect(proxy.diagnostics.count == 5)
        #expect(proxy.diagnostics.allSatisfy { $0.hasPrefix("robj0: BAR_READ") })
        proxy.configWrite(0x04, 0x7, width: 2)
        #expect(proxy.barRead(Self.bar0 + 0x8) == 0x8008_0783)
    }

    @Test func theLineSignalsRisingEdgesAndResamplesWhileHigh() throws {
        let proxy = try enabledProxy()
        let (trigger, resample) = (eventfd(0, Int32(EFD_NONBLOCK)), eventfd(0, Int32(EFD_NONBLOCK)))
        defer { close(trigger); close(resample) }
        proxy.send(6, descriptors: [trigger, resample])
        func signals() -> UInt64 {
            var count: UInt64 = 0
            return read(trigger, &count, 8) == 8 ? count : 0
        }
        proxy.barWrite(Self.bar0 + 0xD0, 0x80)  // IMS: RXT0
        proxy.barWrite(Self.bar0 + 0xC8, 0x80)  // ICS: the line rises
        #expect(signals() == 1)
        proxy.barWrite(Self.bar0 + 0xC8, 0x80)  // still high: no second edge
        #expect(signals() == 0)
        // The guest acknowledged: the VM lowered the pin and resamples; the device holds it high.
        var one: UInt64 = 1
        write(resample, &one, 8)
        #expect(waitFor { proxy.line.level && signals() == 1 })
        _ = proxy.barRead(Self.bar0 + 0xC0)  // reading ICR lowers the level
        proxy.harness.service(now: monotonicClock() + 1_000_000_000)  // the mitigation window ends
        write(resample, &one, 8)
        usleep(50_000)
        #expect(signals() == 0, "resampled while low: nothing to signal")
        // INTx disable (command bit 10) holds the pin low.
        proxy.configWrite(0x04, 0x407, width: 2)
        proxy.barWrite(Self.bar0 + 0xC8, 0x80)
        #expect(signals() == 0)
        proxy.configWrite(0x04, 0x7, width: 2)
        #expect(signals() == 1, "enabling INTx again with the cause pending raises the pin")
    }

    @Test func setIRQFDAgainClosesTheEarlierPair() throws {
        let proxy = try enabledProxy()
        let (trigger, resample) = (eventfd(0, 0), eventfd(0, 0))
        defer { close(trigger); close(resample) }
        proxy.send(6, descriptors: [trigger, resample])
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(openCopies(of: trigger) == 2 && openCopies(of: resample) == 2, "the test's and the line's")
        for _ in 0..<20 {
            proxy.send(6, descriptors: [trigger, resample])
        }
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(openCopies(of: trigger) == 2 && openCopies(of: resample) == 2)
    }

    @Test func deviceResetRestoresRegistersAndConfiguration() throws {
        let proxy = try enabledProxy()
        proxy.barWrite(Self.bar0 + 0x100, 0x2)  // RCTL
        proxy.configWrite(0x3C, 11, width: 1)
        proxy.send(7)
        #expect(proxy.reply() == 0)
        #expect(proxy.configRead(0x04, width: 2) == 0, "command cleared (pci_do_device_reset)")
        #expect(proxy.configRead(0x10) == 0)
        #expect(proxy.configRead(0x14) == 1, "the I/O type bit stays")
        #expect(proxy.configRead(0x3C, width: 1) == 0)
        proxy.configWrite(0x10, UInt32(Self.bar0))
        proxy.configWrite(0x04, 0x7, width: 2)
        #expect(proxy.barRead(Self.bar0 + 0x100) == 0, "RCTL back to 0")
    }

    @Test func framesLandInGuestMemoryWhileTheTableIsReplaced() throws {
        let proxy = try enabledProxy()
        let size = 4 << 20
        let ram = try sharedMemoryFile(byteCount: size)
        defer { close(ram) }
        let view = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, ram, 0)!
        defer { munmap(view, size) }
        proxy.syncSystemMemory([(0, UInt64(size), 0, ram)])
        // A receive ring of 256 descriptors at 64 KiB, buffers from 1 MiB.
        for index in 0..<256 {
            (view + 0x1_0000 + 16 * index).storeBytes(of: UInt64(0x10_0000 + 2048 * index), as: UInt64.self)
        }
        proxy.barWrite(Self.bar0 + 0x2800, 0x1_0000)  // RDBAL
        proxy.barWrite(Self.bar0 + 0x2808, 4096)  // RDLEN
        proxy.barWrite(Self.bar0 + 0x2818, 255)  // RDT
        proxy.barWrite(Self.bar0 + 0x100, 0x8002)  // RCTL: EN, BAM
        proxy.harness.service(now: monotonicClock() + 2_000_000_000)  // autonegotiation completes
        let frame = GuardedGuest.frame(length: 100)
        // Tables from one thread while frames arrive on this one; the
        // socket is this test's again once the tables are all sent.
        let tablesSent = DispatchSemaphore(value: 0)
        Thread {
            for _ in 0..<100 { proxy.syncSystemMemory([(0, UInt64(size), 0, ram)]) }
            tablesSent.signal()
        }.start()
        for _ in 0..<200 {
            proxy.harness.inject(frame)
            proxy.harness.service()
        }
        tablesSent.wait()
        #expect(waitFor { proxy.barRead(Self.bar0 + 0x2810) == 200 }, "RDH after 200 frames")
        #expect(proxy.configRead(0) == 0x100E_8086)
        for index in [0, 199] {
            let written = UnsafeRawBufferPointer(start: view + 0x10_0000 + 2048 * index, count: 100)
            #expect(Array(written) == frame, "frame \(index)")
        }
        #expect(proxy.server.function.mappedFiles == 1)
        #expect(openCopies(of: ram) == 1, "every region's descriptor closed")
        #expect(proxy.diagnostics.isEmpty, "\(proxy.diagnostics)")
    }

    // MARK: Hostile or broken peers

    @Test func aPayloadOverTheLimitEndsTheConnection() throws {
        let proxy = try enabledProxy()
        proxy.send(3, FakeProxy.configPayload(0, 0, 4), size: 1 << 40)
        #expect(proxy.waitForEnd())
        #expect(proxy.diagnostics.last?.contains("over the limit of 192") == true, "\(proxy.diagnostics)")
        #expect(proxy.harness.nic.registerWindow == nil, "the NIC stops, reset")
        // The proxy's next request sees the end of the stream, and its guest all-ones; it never hangs.
        #expect(proxy.configRead(0) == nil)
        var byte: UInt8 = 0
        #expect(recv(proxy.descriptor, &byte, 1, Int32(MSG_DONTWAIT)) == 0, "end of stream")
    }

    @Test func aMessageCutShortEndsTheConnection() throws {
        let proxy = try enabledProxy()
        proxy.sendRaw([3, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        shutdown(proxy.descriptor, Int32(SHUT_WR))
        #expect(proxy.waitForEnd())
        #expect(proxy.diagnostics.last?.contains("within the payload of message 3") == true, "\(proxy.diagnostics)")
    }

    @Test func anUnknownCommandGetsAllOnesAndTheNextRequestAnswers() throws {
        let proxy = try enabledProxy()
        for command: Int32 in [42, -1, 1, 8] {
            proxy.send(command)
            #expect(proxy.reply() == UInt64.max)
        }
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(proxy.diagnostics.count == 4)
        #expect(proxy.diagnostics.first?.contains("message 42") == true)
    }

    @Test func descriptorsWhereNoneBelongAreClosedAndRefused() throws {
        let proxy = try enabledProxy()
        let stray = eventfd(0, 0)
        defer { close(stray) }
        proxy.send(3, FakeProxy.configPayload(0, 0, 4), descriptors: [stray, stray])
        #expect(proxy.reply() == UInt64.max)
        proxy.send(5, FakeProxy.barPayload(Self.bar0, 0, 4, true), descriptors: [stray])
        #expect(proxy.reply() == UInt64.max)
        proxy.send(7, descriptors: [stray])
        #expect(proxy.reply() == UInt64.max)
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(openCopies(of: stray) == 1)
        #expect(proxy.diagnostics.map { $0.split(separator: " ")[1] } == ["PCI_CFGREAD", "BAR_READ", "DEVICE_RESET"])
    }

    @Test func missingOrWrongDescriptorsAreRefused() throws {
        let proxy = try enabledProxy()
        let trigger = eventfd(0, 0)
        let file = try sharedMemoryFile(byteCount: 4096)
        defer { close(trigger); close(file) }
        proxy.send(6, descriptors: [trigger])  // one, not two
        proxy.send(6, descriptors: [trigger, file])  // not an eventfd
        proxy.send(0, [UInt8](repeating: 0, count: 192))  // a table without descriptors
        proxy.send(3, Array(FakeProxy.configPayload(0, 0, 4).prefix(8)))  // a short configuration access
        #expect(proxy.reply() == UInt64.max)
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(proxy.line.resampleDescriptor == -1)
        #expect(proxy.diagnostics.count == 4, "\(proxy.diagnostics)")
    }

    @Test func badMemoryTablesLeaveNoGuestMemory() throws {
        let proxy = try enabledProxy()
        let ram = try sharedMemoryFile(byteCount: 1 << 20)
        defer { close(ram) }
        proxy.syncSystemMemory([(0, 0x8_0000, 0, ram), (0x4_0000, 0x1000, 0, ram)])  // overlapping
        proxy.syncSystemMemory([(0, 2 << 20, 0, ram)])  // past the end of the file
        proxy.syncSystemMemory([(0, 0x1000, UInt64.max - 10, ram)])  // an offset that wraps
        proxy.syncSystemMemory((0..<9).map { (UInt64($0) << 20, 0x1000, 0, ram) })  // nine regions
        let notAFile = eventfd(0, 0)
        defer { close(notAFile) }
        proxy.syncSystemMemory([(0, 0x1000, 0, notAFile)])  // not a file
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(proxy.diagnostics.count == 5, "\(proxy.diagnostics)")
        #expect(proxy.diagnostics.allSatisfy { $0.contains("SYNC_SYSMEM") })
        #expect(proxy.server.function.mappedFiles == 0)
        #expect(openCopies(of: ram) == 1 && openCopies(of: notAFile) == 1, "the server closed every descriptor")
        proxy.syncSystemMemory([(0, 1 << 20, 0, ram)])
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(proxy.server.function.mappedFiles == 1)
    }

    @Test func configurationAccessesOutsideTheHeaderGetAllOnes() throws {
        let proxy = try enabledProxy()
        #expect(proxy.configRead(0xFE, width: 2) == 0)
        #expect(proxy.configRead(0xFE, width: 4) == UInt64.max)
        #expect(proxy.configRead(0x100, width: 1) == UInt64.max)
        #expect(proxy.configRead(0, width: 3) == UInt64.max)
        #expect(proxy.configWrite(0xFFFF_FFFF, 1, width: 4) == UInt64.max)
        #expect(proxy.configRead(0) == 0x100E_8086)
        #expect(proxy.diagnostics.count == 4)
    }

    @Test func theVMClosingItsSocketStopsTheNIC() throws {
        let proxy = try enabledProxy()
        shutdown(proxy.descriptor, Int32(SHUT_RDWR))
        #expect(proxy.waitForEnd())
        #expect(!proxy.server.isConnected)
        #expect(proxy.diagnostics == ["robj0: the VM closed its socket; the NIC stops"])
    }
}

/// Polls `condition` for up to two seconds.
private func waitFor(_ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(2)
    while Date() < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}
