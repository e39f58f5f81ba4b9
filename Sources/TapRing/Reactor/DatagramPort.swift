import CLinux
import Glibc
import SystemPackage

/// A datagram socket port's state on its home reactor: where its frames go,
/// the message headers of the batch it sends with one `sendmmsg`, and the
/// frames the socket had no room for yet, which go before any other.
///
/// Sent the way QEMU 7.2's `net_dgram_receive()` sends, but a batch at a
/// time: a frame the socket cannot take now (`EAGAIN`) waits, and those
/// after it with it, until the socket has room; any other failure drops the
/// frame and counts an error.
struct DatagramPort {
    let descriptor: Int32
    /// The address every frame is sent to; nil when the socket is connected.
    let destination: UnsafeMutablePointer<sockaddr_storage>?
    let messages: UnsafeMutablePointer<MultipleMessage>
    let vectors: UnsafeMutablePointer<iovec>
    /// Frames taken from the lanes and not sent yet, oldest first.
    let held: UnsafeMutablePointer<UInt64>
    var heldCount = 0

    static func make(
        batch: Int, descriptor: Int32, destination: SocketEndpoint?
    ) -> UnsafeMutablePointer<DatagramPort> {
        let stored = destination.map { endpoint in
            let storage = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
            return (storage, endpoint.store(at: storage))
        }
        // Message `i` of a batch is always the datagram of vector `i`, to the destination.
        let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let messages = UnsafeMutablePointer<MultipleMessage>.allocate(capacity: batch)
        for index in 0..<batch {
            var message = MultipleMessage()
            message.header.msg_name = stored.map { UnsafeMutableRawPointer($0.0) }
            message.header.msg_namelen = stored?.1 ?? 0
            message.header.msg_iov = vectors + index
            message.header.msg_iovlen = 1
            (messages + index).initialize(to: message)
        }
        let port = UnsafeMutablePointer<DatagramPort>.allocate(capacity: 1)
        port.initialize(to: DatagramPort(
            descriptor: descriptor, destination: stored?.0,
            messages: messages, vectors: vectors, held: .allocate(capacity: batch)))
        return port
    }

    static func free(_ port: UnsafeMutablePointer<DatagramPort>) {
        port.pointee.destination?.deallocate()
        port.pointee.messages.deallocate()
        port.pointee.vectors.deallocate()
        port.pointee.held.deallocate()
        port.deinitialize(count: 1)
        port.deallocate()
    }

    /// Makes message `index` of the batch the datagram of `length` bytes at
    /// `bytes`.
    @inline(__always)
    func prepare(_ index: Int, bytes: UnsafeMutableRawPointer, length: Int) {
        vectors[index] = iovec(iov_base: bytes, iov_len: length)
    }

    /// Sends messages `first..<count` with one system call, without waiting;
    /// how many went, or the error of message `first`.
    ///
    /// The corresponding C function is `sendmmsg`.
    @inline(__always)
    func send(_ first: Int, _ count: Int) -> Result<Int, Errno> {
        let flags = Int32(MSG_DONTWAIT | MSG_NOSIGNAL)
        let sent = clinux_sendmmsg(descriptor, messages + first, UInt32(count - first), flags)
        return sent >= 0 ? .success(Int(sent)) : .failure(Errno.current)
    }
}
