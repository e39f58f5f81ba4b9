import Foundation
import Glibc
import TapRing
import TapRingHarness
import Testing

/// `-object filter-dump`: the pcap file of a netdev's frames, as QEMU writes
/// it, read back by tcpdump and byte by byte.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct PacketDumpTests {
    @Test func capturesEachDirectionAsAskedAndTcpdumpReadsThem() throws {
        let taps = [Kernel.uniqueName("trd"), Kernel.uniqueName("trd")]
        let files = (0..<2).map { "/tmp/tapring-dump-\(getpid())-\($0).pcap" }
        defer { files.forEach { unlink($0) } }
        let run = try TapRingRun(
            ["--stats", "0"] + Kernel.hubOptions(taps)
                + ["-object", "filter-dump,id=all,netdev=t0,file=\(files[0])",
                   "-object", "filter-dump,id=rx,netdev=p1,file=\(files[1]),maxlen=100,queue=rx"],
            taps: taps)
        let sockets = run.sockets
        let forward = (0..<20).map { PacketSocket.frame(payload: [0, UInt8($0)], length: [60, 200, 1514][$0 % 3]) }
        let back = (0..<10).map { PacketSocket.frame(payload: [1, UInt8($0)], length: 80) }
        for frame in forward { try sockets[0].send(frame) }
        #expect(sockets[1].receive(count: forward.count, timeout: 5).count == forward.count)
        for frame in back { try sockets[1].send(frame) }
        #expect(sockets[0].receive(count: back.count, timeout: 5).count == back.count)
        _ = run.interrupt()

        // t0 sent the forward frames and received the ones back. The hub port
        // p1 received what t1 sent (the frames back), cut to 100 bytes.
        let all = try PcapFile(path: files[0])
        #expect(all.snapLength == 65536)
        #expect(all.records.map(\.bytes) == forward + back)
        let received = try PcapFile(path: files[1])
        #expect(received.snapLength == 100)
        #expect(received.records.map(\.bytes) == back.map { Array($0.prefix(100)) })
        #expect(received.records.map(\.length) == back.map(\.count))
        if let tcpdump = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].first(where: FileManager.default.isExecutableFile) {
            let listing = try Kernel.run(tcpdump, ["-r", files[0], "-nn", "-e"])
            // One line per frame; tcpdump first says what it reads, snapshot length included.
            let lengths = listing.split(separator: "\n").filter { $0.contains("ethertype") }.compactMap { line in
                line.range(of: "length ").map { Int(line[$0.upperBound...].prefix { $0.isNumber }) ?? -1 }
            }
            #expect(lengths == (forward + back).map(\.count))
        }
    }

    /// A file that takes no write stops the dump, as QEMU's does, with its
    /// message; the frames still go through.
    /// No frame passes a hub port without a peer; QEMU still writes the header.
    @Test func aPortWithoutPeerDumpsNothing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tapring-\(UUID()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let engine = try Engine(try NetworkPlan.parse(
            ["-netdev", "hubport,id=h,hubid=0", "-object", "filter-dump,id=f,netdev=h,file=\(file),maxlen=100"]))
        try engine.start()
        engine.stop()
        let pcap = try PcapFile(path: file)
        #expect(pcap.snapLength == 100 && pcap.records.isEmpty)
    }

    @Test func aFileThatRefusesWritesStopsTheDumpAndSaysSo() throws {
        let taps = [Kernel.uniqueName("trd"), Kernel.uniqueName("trd")]
        let run = try TapRingRun(
            ["--stats", "0"] + Kernel.hubOptions(taps) + ["-object", "filter-dump,id=full,netdev=t0,file=/dev/full"],
            taps: taps)
        let frames = (0..<10).map { PacketSocket.frame(payload: [2, UInt8($0)], length: 60) }
        for frame in frames { try run.sockets[0].send(frame) }
        #expect(run.sockets[1].receive(count: frames.count, timeout: 5).count == frames.count)
        let text = run.interrupt().errors
        #expect(run.process.terminationStatus == 0)
        #expect(text.contains("tapring: network dump write error - stopping dump (/dev/full: No space left on device)"),
                "\(text)")
    }
}

/// A pcap file as written with the host's byte order (magic 0xa1b2c3d4).
struct PcapFile {
    struct Record {
        var bytes: [UInt8]
        var length: Int
    }

    var snapLength: Int
    var records: [Record] = []

    init(path: String) throws {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func word(_ offset: Int) -> Int {
            data[offset..<offset + 4].withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) }
        }
        guard data.count >= 24, word(0) == 0xA1B2_C3D4, word(20) == 1 else {
            throw KernelError("\(path): not an Ethernet pcap")
        }
        snapLength = word(16)
        var offset = 24
        while offset + 16 <= data.count {
            let captured = word(offset + 8)
            records.append(Record(bytes: Array(data[offset + 16..<offset + 16 + captured]), length: word(offset + 12)))
            offset += 16 + captured
        }
    }
}
