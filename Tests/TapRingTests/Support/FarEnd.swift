import Foundation
import Glibc

/// The other end of a netdev, played by the test: the kernel side of a tap,
/// or a socket speaking what QEMU's socket, stream and dgram backends speak.
protocol FarEnd: AnyObject {
    func send(_ frame: [UInt8]) throws
    /// Frames that arrive within `timeout` seconds, stopping at `count`.
    func receive(count: Int, timeout: Double) -> [[UInt8]]
}

extension PacketSocket: FarEnd {
    func receive(count: Int, timeout: Double) -> [[UInt8]] {
        receive(count: count, timeout: timeout, etherType: Self.testEtherType)
    }
}

/// A socket of the test's: a stream carrying QEMU's framing (a 4-byte
/// big-endian length before each frame), or a datagram socket sending one
/// frame per datagram to `destination`.
final class SocketFarEnd: FarEnd {
    private let descriptor: Int32
    private let destination: Data?
    private var received: [UInt8] = []

    private init(descriptor: Int32, destination: Data?) {
        self.descriptor = descriptor
        self.destination = destination
        var bytes: Int32 = 16 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(descriptor)
    }

    /// Connects to a stream netdev listening at `address`, trying for up to
    /// 15 seconds while it starts: a sanitized `tapring` under the test
    /// suite's parallel load once took longer than 5.
    static func connecting(to address: Data) throws -> SocketFarEnd {
        let family = address.withUnsafeBytes { $0.load(as: sa_family_t.self) }
        let deadline = Date().addingTimeInterval(15)
        while true {
            let descriptor = socket(Int32(family), Int32(SOCK_STREAM.rawValue), 0)
            let connected = address.withUnsafeBytes {
                connect(descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if connected == 0 { return SocketFarEnd(descriptor: descriptor, destination: nil) }
            close(descriptor)
            guard Date() < deadline else { throw KernelError("connect: \(String(cString: strerror(errno)))") }
            usleep(20_000)
        }
    }

    /// The next connection to the listening socket `listener`, waiting up to
    /// `timeout` seconds for one.
    static func accepting(on listener: Int32, timeout: Double) throws -> SocketFarEnd {
        var request = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, Int32(timeout * 1000)) == 1 else {
            throw KernelError("no connection within \(timeout) s")
        }
        let descriptor = accept(listener, nil, nil)
        guard descriptor >= 0 else { throw KernelError("accept: \(String(cString: strerror(errno)))") }
        return SocketFarEnd(descriptor: descriptor, destination: nil)
    }

    /// A UDP socket bound to `local` that sends to `remote`; with `group`,
    /// a member of that IPv4 multicast group, hearing its own datagrams as
    /// QEMU's multicast sockets do.
    static func datagram(local: Data, remote: Data, group: String? = nil) throws -> SocketFarEnd {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = local.withUnsafeBytes {
            bind(descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard bound == 0 else { throw KernelError("bind: \(String(cString: strerror(errno)))") }
        if let group {
            var membership = ip_mreq(imr_multiaddr: in_addr(s_addr: inet_addr(group)),
                                     imr_interface: in_addr(s_addr: inet_addr("127.0.0.1")))
            setsockopt(descriptor, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &membership,
                       socklen_t(MemoryLayout<ip_mreq>.size))
            var interface = in_addr(s_addr: inet_addr("127.0.0.1"))
            setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_IF, &interface,
                       socklen_t(MemoryLayout<in_addr>.size))
        }
        return SocketFarEnd(descriptor: descriptor, destination: remote)
    }

    /// An IPv4 address as `sockaddr_in` bytes.
    static func inet(_ host: String, _ port: Int) -> Data {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr(host))
        return withUnsafeBytes(of: &address) { Data($0) }
    }

    /// A Unix socket path as `sockaddr_un` bytes.
    static func unix(_ path: String) -> Data {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        return withUnsafeBytes(of: &address) { Data($0) }
    }

    func send(_ frame: [UInt8]) throws {
        if let destination {
            let sent = frame.withUnsafeBytes { bytes in
                destination.withUnsafeBytes {
                    sendto(descriptor, bytes.baseAddress, bytes.count, 0,
                           $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
                }
            }
            guard sent == frame.count else { throw KernelError("sendto: \(String(cString: strerror(errno)))") }
            return
        }
        let length = UInt32(frame.count).bigEndian
        let message = withUnsafeBytes(of: length) { Array($0) } + frame
        var offset = 0
        while offset < message.count {
            let sent = message[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw KernelError("send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    func receive(count: Int, timeout: Double) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        while frames.count < count {
            if destination == nil, let frame = nextFramed() {
                frames.append(frame)
                continue
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
            let length = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard length > 0 else { break }
            if destination == nil {
                received += buffer[0..<length]
            } else {
                frames.append(Array(buffer[0..<length]))
            }
        }
        return frames
    }

    /// The next whole frame of the stream received so far.
    private func nextFramed() -> [UInt8]? {
        guard received.count >= 4 else { return nil }
        let length = received.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard received.count >= 4 + length else { return nil }
        defer { received.removeFirst(4 + length) }
        return Array(received[4..<4 + length])
    }
}
