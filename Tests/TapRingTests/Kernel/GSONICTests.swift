import Glibc
import Testing
@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// Which NICs send their guests' TSO packets as GSO frames: those whose
/// frames go only to taps with a vnet header.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct GSONICTests {
    @Test(arguments: [(",vnet_hdr=on", true), ("", false), (",vnet_hdr=off", false)])
    func aNICSendsGSOFramesOnlyToTapsWithAVnetHeader(tapOptions: String, sendsGSOFrames: Bool) throws {
        let tap = Kernel.uniqueName("trg")
        let engine = try Engine(try NetworkPlan.parse([
            "-netdev", "tap,id=t0,ifname=\(tap),script=no,downscript=no\(tapOptions)", "-device", "e1000,netdev=t0",
        ]))
        #expect(engine.nics[0].channel.sendsGSOFrames == sendsGSOFrames)
    }

    @Test func aNICOnAHubWithOffloadTapsSendsGSOFrames() throws {
        let taps = [Kernel.uniqueName("trg"), Kernel.uniqueName("trg")]
        let engine = try Engine(try NetworkPlan.parse(Kernel.hubOptions(taps)
            + ["-netdev", "hubport,id=pn,hubid=0", "-device", "e1000,netdev=pn"]))
        #expect(engine.nics[0].channel.sendsGSOFrames)
    }
}

/// A guest's TSO packet through a real tap with a vnet header: the kernel
/// takes the GSO frame the e1000 makes of it, whole.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct GSOFromE1000Tests {
    static let ramSize = 1 << 20
    static let bar0: UInt64 = 0xFEBC_0000
    static let ring: UInt64 = 0x1_0000
    static let packet: UInt64 = 0x2_0000

    @Test func aTSOPacketReachesTheTapAsOneFrame() throws {
        let tap = Kernel.uniqueName("trg")
        let ram = try #require(mmap(nil, Self.ramSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(ram, Self.ramSize) }
        let memory = try GuestMemory(regions: [.init(guestAddress: 0, byteCount: Self.ramSize, host: ram)])
        let engine = try Engine(try NetworkPlan.parse([
            "-netdev", "tap,id=t0,ifname=\(tap),script=no,downscript=no,vnet_hdr=on", "-device", "e1000,netdev=t0",
        ])) { (_) throws(EngineError) in NICAttachment(memory: memory, interruptLine: .callback { _ in }) }
        try engine.start()
        defer { engine.stop() }
        try Kernel.bringUp(tap)
        let socket = try PacketSocket(interface: tap)
        let nic = engine.nics[0]
        nic.writeConfig(at: 0x10, width: 4, value: UInt32(Self.bar0))
        nic.writeConfig(at: 0x04, width: 2, value: 0x6)
        func write(_ register: Int, _ value: UInt32) {
            nic.writeRegister(at: register, width: 4, value: UInt64(value))
        }
        write(E1000Register.tdbal, UInt32(Self.ring))
        write(E1000Register.tdlen, 16 * 64)
        write(E1000Register.tdh, 0)
        write(E1000Register.tdt, 0)
        write(E1000Register.tctl, 0x2)

        let bytes = TSOCoalescingTests.tsoPacket(payload: 20_000)
        bytes.withUnsafeBytes { (ram + Int(Self.packet)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        // The context (IPCSS 14, IPCSO 24, IPCSE 33, TUCSS 34, TUCSO 50; TSE IP TCP,
        // HDRLEN 54, MSS), then one data descriptor with TSE, EOP, RS, IXSM and TXSM.
        let context = ram + Int(Self.ring)
        for (offset, byte) in [14, 24, 33, 0, 34, 50, 0, 0].enumerated() {
            context.storeBytes(of: UInt8(byte), toByteOffset: offset, as: UInt8.self)
        }
        context.storeBytes(of: UInt32(0x2F00_0000) | 20_000, toByteOffset: 8, as: UInt32.self)
        context.storeBytes(of: UInt32(TSOCoalescingTests.mss) << 16 | 54 << 8, toByteOffset: 12, as: UInt32.self)
        let data = context + 16
        data.storeBytes(of: Self.packet, as: UInt64.self)
        data.storeBytes(of: UInt32(0x2D10_0000) | UInt32(bytes.count), toByteOffset: 8, as: UInt32.self)
        data.storeBytes(of: UInt32(0x0300), toByteOffset: 12, as: UInt32.self)
        usleep(100_000)  // the reactor hands the NIC its spare slots
        write(E1000Register.tdt, 2)

        let frames = socket.receive(count: 2, timeout: 2, etherType: 0x0800)
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        #expect(frame.count == bytes.count)
        #expect(frame.dropFirst(54) == bytes.dropFirst(54), "payload changed")
        let port = try #require(engine.statistics().first)
        #expect(port.framesOut == 1 && port.errors == 0)
    }
}
