import Foundation
import Glibc
import Synchronization
import Testing

/// SIGINT in the middle of a full-rate flood: every frame the engine read
/// is written, dropped or failed by the time it prints its totals.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason), .disabled(if: Sanitizer.isActive, Sanitizer.slowReason))
struct ShutdownAccountingTests {
    @Test(arguments: 1...8)
    func framesReadAreAccountedForWhenASignalStopsAFlood(round: Int) throws {
        let taps = [Kernel.uniqueName("trs"), Kernel.uniqueName("trs")]
        let run = try TapRingRun(["--json", "--stats", "0"] + Kernel.hubOptions(taps), taps: taps)
        let flood = Flood(socket: run.sockets[0])
        let done = DispatchSemaphore(value: 0)
        Thread {
            let frame = PacketSocket.frame(payload: [9], length: 60)
            while flood.running.load(ordering: .relaxed) { try? flood.socket.send(frame) }
            done.signal()
        }.start()
        // Stop at a different moment each round, while frames are in flight.
        usleep(useconds_t(150_000 + 37_000 * round))
        let report = run.interrupt().output
        flood.running.store(false, ordering: .relaxed)
        done.wait()
        let ports = try RunReport.decode(report)
        #expect(ports[0].framesIn > 0)
        #expect(ports[0].framesIn == ports[1].framesOut + ports[1].drops + ports[1].errors,
            "in \(ports[0].framesIn), out \(ports[1].framesOut), dropped \(ports[1].drops), failed \(ports[1].errors)")
    }
}

/// A packet socket that one thread floods through until told to stop.
private final class Flood: @unchecked Sendable {
    let socket: PacketSocket
    let running = Atomic<Bool>(true)

    init(socket: PacketSocket) {
        self.socket = socket
    }
}
