import Foundation
import Glibc
import Synchronization
import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// Where io_uring is unavailable the reactors poll and read and write
/// instead: the same forwarding, the same order, the same NIC.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct PollBackendTests {
    private static var pollConfiguration: EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.ioBackend = .poll
        return configuration
    }

    @Test func tapsForwardInOrderWhenPolling() throws {
        let hub = try TapHub(ports: 3, configuration: Self.pollConfiguration)
        #expect(hub.engine.backend == .poll)
        let frames = (0..<1000).map {
            PacketSocket.frame(payload: [UInt8($0 >> 8), UInt8($0 & 0xFF)], length: 60 + $0 % 1400)
        }
        try frames.forEach(hub.sockets[0].send)
        #expect(difference(hub.sockets[1].receive(count: frames.count, timeout: 5), frames) == nil)
        #expect(difference(hub.sockets[2].receive(count: frames.count, timeout: 5), frames) == nil)
    }

    @Test func anE1000GuestReceivesWhenPolling() throws {
        let name = Kernel.uniqueName("trp")
        let plan = try NetworkPlan.parse(["-netdev", "tap,id=n0,ifname=\(name),script=no,downscript=no",
                                          "-device", "e1000,netdev=n0"])
        let received = FrameCount()
        let engine = try Engine(plan, configuration: Self.pollConfiguration) { _ in
            { _ in received.frames.add(1, ordering: .relaxed) }
        }
        try engine.start()
        try Kernel.bringUp(name)
        let socket = try PacketSocket(interface: name)
        // The NIC's receive holdback after the guest's RCTL write runs on the
        // poll ring's timers; the frames wait for it.
        for sequence in 0..<300 {
            try socket.send(PacketSocket.frame(payload: [UInt8(sequence >> 8), UInt8(sequence & 0xFF)]))
        }
        let deadline = Date().addingTimeInterval(5)
        while received.frames.load(ordering: .relaxed) < 300 && Date() < deadline { usleep(20_000) }
        #expect(received.frames.load(ordering: .relaxed) == 300)
        engine.stop()
    }

    @Test(.enabled(if: WithoutIOUring.launcher != nil, WithoutIOUring.reason))
    func aSeccompProfileThatBlocksIOUringMakesTheEnginePoll() throws {
        let taps = [Kernel.uniqueName("trs"), Kernel.uniqueName("trs")]
        let run = try TapRingRun(["--stats", "0"] + Kernel.hubOptions(taps), taps: taps,
                                 launcher: WithoutIOUring.launcher!)
        let frames = (0..<200).map { PacketSocket.frame(payload: [9, UInt8($0)]) }
        try frames.forEach(run.sockets[0].send)
        #expect(difference(run.sockets[1].receive(count: frames.count, timeout: 5), frames) == nil)
        let warning = run.interrupt().errors
        #expect(warning.split(separator: "\n").filter { $0.contains("io_uring") }
            == ["tapring: warning: io_uring is unavailable (Operation not permitted): "
                + "the reactors poll and read and write instead"])
        #expect(run.process.terminationStatus == 0)
    }
}

/// Frames a guest driver took, counted by its inspector.
private final class FrameCount: Sendable {
    let frames = Atomic<Int>(0)
}
