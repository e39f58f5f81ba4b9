import CLinux
import Glibc

/// Packet sockets on the kernel side of a tap: what the tester sends frames
/// out of, and receives them on.
enum PacketEndpoint {
    /// A raw packet socket bound to `interface`: for sending when `protocol`
    /// is 0 (and straight into the tap, past the queueing discipline, with
    /// `bypassQueue`), otherwise receiving frames of that ethertype.
    ///
    /// The corresponding C functions are `socket(AF_PACKET, SOCK_RAW, ...)` and `bind`.
    static func open(interface: String, bypassQueue: Bool = false,
                     protocol etherType: UInt16 = 0) throws(Failure) -> Int32 {
        let index = Int32(if_nametoindex(interface))
        guard index != 0 else { throw Failure("tapring bench: no interface \(interface)") }
        // Protocol 0 until bind(): a socket made with a protocol receives it
        // from every interface until it is bound to one.
        let descriptor = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("tapring bench: socket(AF_PACKET) for \(interface)", errno: errno) }
        if bypassQueue {
            var on: Int32 = 1
            setsockopt(descriptor, SOL_PACKET, PACKET_QDISC_BYPASS, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = etherType.bigEndian
        address.sll_ifindex = index
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard bound == 0 else {
            let error = errno
            close(descriptor)
            throw Failure("tapring bench: bind(AF_PACKET) to \(interface)", errno: error)
        }
        return descriptor
    }
}

extension Failure {
    /// What failed, with the system's words for `error`.
    init(_ what: String, errno error: Int32) {
        self.init("\(what): \(String(cString: strerror(error)))")
    }
}
