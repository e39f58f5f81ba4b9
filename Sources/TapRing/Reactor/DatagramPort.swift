import CURing
import Glibc

/// A datagram socket port's state on its home reactor: where its frames go,
/// and a message header for each write of the batch in flight, which must
/// stay put until the kernel has read it.
struct DatagramPort {
    /// The address every frame is sent to; nil when the socket is connected.
    let destination: UnsafeMutablePointer<sockaddr_storage>?
    let destinationLength: socklen_t
    let messages: UnsafeMutablePointer<msghdr>
    let vectors: UnsafeMutablePointer<iovec>

    static func make(batch: Int, destination: SocketEndpoint?) -> UnsafeMutablePointer<DatagramPort> {
        let stored = destination.map { endpoint in
            let storage = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
            return (storage, endpoint.store(at: storage))
        }
        let port = UnsafeMutablePointer<DatagramPort>.allocate(capacity: 1)
        port.initialize(to: DatagramPort(
            destination: stored?.0, destinationLength: stored?.1 ?? 0,
            messages: .allocate(capacity: batch), vectors: .allocate(capacity: batch)))
        return port
    }

    static func free(_ port: UnsafeMutablePointer<DatagramPort>) {
        port.pointee.destination?.deallocate()
        port.pointee.messages.deallocate()
        port.pointee.vectors.deallocate()
        port.deinitialize(count: 1)
        port.deallocate()
    }

    /// Prepares `submission` to send `length` bytes at `bytes` as one
    /// datagram to the port's destination, with header `index` of the batch.
    func prepareSend(_ submission: UnsafeMutablePointer<io_uring_sqe>, file: Int32, index: Int,
                     bytes: UnsafeMutableRawPointer, length: Int) {
        vectors[index] = iovec(iov_base: bytes, iov_len: length)
        var message = msghdr()
        message.msg_name = UnsafeMutableRawPointer(destination)
        message.msg_namelen = destinationLength
        message.msg_iov = vectors + index
        message.msg_iovlen = 1
        messages[index] = message
        io_uring_prep_sendmsg(submission, file, messages + index, UInt32(MSG_NOSIGNAL))
    }
}
