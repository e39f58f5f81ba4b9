import Foundation
import Testing

@testable import TapRing
@testable import TapRingOptions

/// `tapring run` with a tap peered to an e1000 and no emulator behind it:
/// the guest driver model takes in what the kernel side of the tap sends,
/// as far as the NIC's receive filter lets it through, even what arrives
/// before the guest is ready.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct TapToE1000Tests {
    @Test(arguments: [1, 2])
    func framesInjectedOnTheTapReachTheGuest(reactors: Int) throws {
        let name = Kernel.uniqueName("tre")
        let process = Process()
        process.executableURL = TapRingBinary.url
        process.arguments = ["run", "--json", "--stats", "0", "--reactors", "\(reactors)",
                             "-netdev", "tap,id=n0,ifname=\(name),script=no,downscript=no",
                             "-device", "e1000,netdev=n0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        for _ in 0..<100 where !Kernel.interfaceExists(name) {
            usleep(50_000)
        }
        try Kernel.bringUp(name)
        let socket = try PacketSocket(interface: name)
        // Broadcast, unicast to the NIC's address (QEMU's first, 52:54:00:12:34:56),
        // and unicast to another address that the receive filter drops.
        let nic: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
        let other: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x99]
        var accepted = 0
        var acceptedBytes = 0
        for sequence in 0..<700 {
            var frame = PacketSocket.frame(payload: [UInt8(sequence >> 8), UInt8(sequence & 0xFF)],
                                           length: [60, 64, 591, 1514][sequence % 4])
            switch sequence % 7 {
            case 0...2: break
            case 3...5: frame.replaceSubrange(0..<6, with: nic)
            default: frame.replaceSubrange(0..<6, with: other)
            }
            if sequence % 7 != 6 {
                accepted += 1
                acceptedBytes += frame.count
            }
            try socket.send(frame)
        }
        // The guest's RCTL write holds receives back for a second, as in QEMU;
        // what arrives meanwhile waits in the NIC's queue and the tap's.
        usleep(2_000_000)
        process.interrupt()
        let report = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let ports = try decoder.decode(RunReport.self, from: report).ports
        #expect(ports.map(\.netdev) == ["n0", "e1000.0"])
        #expect(ports.first?.framesIn == 700)
        #expect(ports.last?.framesOut == accepted)
        #expect(ports.last?.bytesOut == acceptedBytes)
    }

    private struct RunReport: Decodable {
        struct Port: Decodable {
            let netdev: String
            let framesIn: Int
            let framesOut: Int
            let bytesOut: Int
        }

        let ports: [Port]
    }
}
