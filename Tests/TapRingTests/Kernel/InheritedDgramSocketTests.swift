import Foundation
import Glibc
import Testing

@testable import TapRing
import TapRingOptions

/// A socket handed to `-netdev dgram` by descriptor (`local.type=fd`) is read
/// and written one `recv` and one `send` per frame whatever its type, as QEMU
/// 7.2's `net_init_dgram` takes it: it asks for the socket's address, never
/// for its type. On a hub with a second `dgram` netdev on a Unix datagram
/// pair, frames cross both ways; a stream socket's frames are what each read
/// finds, and what it sends runs together.
@Suite(.serialized)
struct InheritedDgramSocketTests {
    static let types: [Int32] = [SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM].map { Int32($0.rawValue) }

    @Test(arguments: types)
    func everySocketTypeCarriesFrames(type: Int32) throws {
        try replay(type: type) { try Self.startEngine($0) }
    }

    /// The same scenario against QEMU 7.2 itself: the expectations are its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"), arguments: types)
    func qemuDoesTheSame(type: Int32) throws {
        try replay(type: type, start: Self.startQEMU)
    }

    /// A socket with no room for a frame (its send buffer full) holds it
    /// and every later one until it has room: every frame arrives, in
    /// order. QEMU 7.2 loses none either (`net_dgram_receive` answers 0 on
    /// `EAGAIN`, and the hub reads no more until the port can send), though
    /// a few come out of turn there, where its queue's flush meets newer
    /// frames.
    @Test(arguments: [EngineConfiguration.IOBackend.ioUring, .poll])
    func aSocketWithoutRoomHoldsItsFramesInOrder(backend: EngineConfiguration.IOBackend) throws {
        var configuration = EngineConfiguration()
        configuration.ioBackend = backend
        let arrived = try replayBackPressure { try Self.startEngine($0, configuration: configuration) }
        #expect(arrived == Array(0..<Self.backPressureFrames), "frames lost or out of turn")
    }

    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"))
    func qemuLosesNoneOfThemEither() throws {
        let arrived = try replayBackPressure(start: Self.startQEMU)
        #expect(arrived.sorted() == Array(0..<Self.backPressureFrames), "frames lost")
    }

    /// A listening socket has nothing to read, ever: QEMU 7.2 fails its
    /// `recv` each time the socket polls readable, spinning on a core. The
    /// engine counts the first failure and reads no more.
    @Test func aListeningSocketIsReadOnce() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0,
                                  sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                guard bind(listener, address, length) == 0, listen(listener, 4) == 0,
                    getsockname(listener, address, &length) == 0
                else { throw KernelError("listener: \(String(cString: strerror(errno)))") }
            }
        }
        let engine = try Engine(try NetworkPlan.parse(["-netdev", "dgram,id=l,local.type=fd,local.str=\(listener)"]))
        try engine.start()
        defer { engine.stop() }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
        #expect(connected == 0)
        _ = [UInt8](repeating: 1, count: 60).withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, 0) }
        usleep(300_000)
        let port = try #require(engine.statistics().first)
        #expect(port.framesIn == 0 && port.errors == 1)
    }

    /// Starts TapRing's engine on the sockets `descriptors`; returns how to stop it.
    private static func startEngine(
        _ descriptors: [Int32], configuration: EngineConfiguration = EngineConfiguration()
    ) throws -> () -> Void {
        let engine = try Engine(try NetworkPlan.parse(options(descriptors)), configuration: configuration)
        try engine.start()
        return { engine.stop() }
    }

    /// Starts QEMU 7.2 on the sockets `descriptors`, handed over as 10 and
    /// 11; returns how to stop it.
    private static func startQEMU(_ descriptors: [Int32]) throws -> () -> Void {
        let passed: [Int32] = [10, 11]
        let arguments = [QEMUProcess.path] + QEMUProcess.machineNone + options(passed)
        let handedOver = Dictionary(uniqueKeysWithValues: zip(descriptors, passed))
        let qemu = try SpawnedProcess(arguments, passing: handedOver, log: "/dev/null")
        descriptors.forEach { close($0) }
        usleep(1_000_000)
        return { qemu.stop(SIGKILL) }
    }

    /// `-netdev dgram` netdevs `a` and `b` on descriptors `numbers`, both on hub 0.
    private static func options(_ numbers: [Int32]) -> [String] {
        ["-netdev", "dgram,id=a,local.type=fd,local.str=\(numbers[0])", "-netdev", "hubport,id=pa,hubid=0,netdev=a",
         "-netdev", "dgram,id=b,local.type=fd,local.str=\(numbers[1])", "-netdev", "hubport,id=pb,hubid=0,netdev=b"]
    }

    /// Starts a forwarder, through `start`, with `a` on a socket of `type`
    /// and `b` on a Unix datagram socket, the descriptors given; `start`
    /// returns how to stop it. Then sends frames through their far ends.
    private func replay(type: Int32, start: (_ descriptors: [Int32]) throws -> () -> Void) throws {
        let (a, aFar) = try Self.pair(type)
        let (b, bFar) = try Self.pair(Int32(SOCK_DGRAM.rawValue))
        defer { close(aFar); close(bFar) }
        let stop = try start([a, b])
        defer { stop() }

        let first = DatagramEndTests.frame(1), second = [UInt8](repeating: 0xee, count: 70)
        Self.send(first, on: aFar)
        usleep(100_000)
        Self.send(second, on: aFar)
        #expect(Self.receive(on: bFar, bytes: first.count + second.count) == [first, second])

        let third = DatagramEndTests.frame(3), fourth = [UInt8](repeating: 0x44, count: 61)
        Self.send(third, on: bFar)
        Self.send(fourth, on: bFar)
        let arrived = Self.receive(on: aFar, bytes: third.count + fourth.count)
        if type == Int32(SOCK_STREAM.rawValue) {
            #expect(arrived.flatMap { $0 } == third + fourth)
        } else {
            #expect(arrived == [third, fourth])
        }
    }

    static let backPressureFrames = 300

    /// Sends numbered frames into `a` while nothing reads `b`'s far end,
    /// then reads them there, sending the rest as `a` takes them; the
    /// numbers of the frames that arrived, in the order they did. `b` has
    /// the smallest send buffer there is, which a few frames fill.
    private func replayBackPressure(start: (_ descriptors: [Int32]) throws -> () -> Void) throws -> [Int] {
        let (a, aFar) = try Self.pair(Int32(SOCK_DGRAM.rawValue))
        let (b, bFar) = try Self.pair(Int32(SOCK_DGRAM.rawValue))
        defer { close(aFar); close(bFar) }
        var smallest: Int32 = 1
        setsockopt(b, SOL_SOCKET, SO_SNDBUF, &smallest, socklen_t(MemoryLayout<Int32>.size))
        let stop = try start([a, b])
        defer { stop() }
        var sent = 0
        func sendWhileTaken() {
            while sent < Self.backPressureFrames {
                let frame = DatagramEndTests.frame(0) + withUnsafeBytes(of: UInt16(sent).bigEndian, Array.init)
                guard frame.withUnsafeBytes({ Glibc.send(aFar, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0
                else { return }
                sent += 1
            }
        }
        sendWhileTaken()
        usleep(300_000)
        var arrived: [Int] = []
        let deadline = Date().addingTimeInterval(5)
        while arrived.count < Self.backPressureFrames, Date() < deadline {
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = buffer.withUnsafeMutableBytes { recv(bFar, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 2 {
                arrived.append(Int(buffer[count - 2]) << 8 | Int(buffer[count - 1]))
            } else {
                sendWhileTaken()
                usleep(1_000)
            }
        }
        #expect(sent == Self.backPressureFrames)
        return arrived
    }

    private static func pair(_ type: Int32) throws -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else {
            throw KernelError("socketpair: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    private static func send(_ bytes: [UInt8], on descriptor: Int32) {
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
        #expect(sent == bytes.count)
    }

    /// What `descriptor` reads, one read each, until `bytes` have come or
    /// two seconds have passed.
    private static func receive(on descriptor: Int32, bytes: Int) -> [[UInt8]] {
        var reads: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(2)
        while reads.reduce(0, { $0 + $1.count }) < bytes, Date() < deadline {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 100) == 1 else { continue }
            var buffer = [UInt8](repeating: 0, count: 70_000)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reads.append(Array(buffer[..<count]))
        }
        return reads
    }
}
