import CLinux
import CURing  // MSG_NOSIGNAL, which Glibc's module leaves out
import Glibc
import SystemPackage

/// The device process's end of a VM's `x-pci-proxy-dev` socket: whole
/// messages in (`mpqemu_msg_recv`), replies out. Every wait also watches
/// `wake`, so that the server stops even while a peer sends half a message.
struct MPQemuSocket {
    let descriptor: Int32
    /// An eventfd that ends any wait.
    let wake: Int32

    /// Why reading stopped.
    enum Failure: Error {
        /// The VM closed its end between messages.
        case closed
        /// The server was asked to stop.
        case stopped
        /// Anything else, worded for the user.
        case broken(String)
    }

    /// One message: its command number, its payload in `payload` (which has
    /// room for `MPQemuLayout.payloadLimit` bytes), and the descriptors
    /// that came with it, which the caller owns from now on.
    struct Received {
        var command: Int32
        var size: Int
        var descriptors: [Int32]
        /// More descriptors came than the protocol carries; the kernel closed the rest.
        var tooManyDescriptors: Bool
    }

    /// Reads the 16-byte header, collecting descriptors, then the payload.
    /// A payload over the limit or a message cut short breaks the stream.
    func receive(into payload: UnsafeMutableRawBufferPointer) throws(Failure) -> Received {
        var header = (UInt64(0), UInt64(0))
        var received = Received(command: 0, size: 0, descriptors: [], tooManyDescriptors: false)
        try withUnsafeMutableBytes(of: &header) { (bytes) throws(Failure) in
            var done = 0
            while done < MPQemuLayout.headerSize {
                var count: Int32 = 0
                var truncated: Int32 = 0
                let result = withUnsafeTemporaryAllocation(of: Int32.self, capacity: 16) { passed in
                    let result = clinux_receive_with_descriptors(
                        descriptor, bytes.baseAddress! + done, UInt(MPQemuLayout.headerSize - done),
                        passed.baseAddress!, Int32(passed.count), &count, &truncated)
                    received.descriptors += passed.prefix(Int(count))
                    return result
                }
                received.tooManyDescriptors = received.tooManyDescriptors || truncated != 0
                if result > 0 {
                    done += result
                } else if result == 0 {
                    received.descriptors.forEach { close($0) }
                    throw done == 0 ? .closed : .broken("the VM closed the socket within a message header")
                } else {
                    do throws(Failure) {
                        try waitAfter(Errno.current)
                    } catch {
                        received.descriptors.forEach { close($0) }
                        throw error
                    }
                }
            }
        }
        received.command = Int32(truncatingIfNeeded: UInt64(littleEndian: header.0))
        let size = UInt64(littleEndian: header.1)
        guard size <= UInt64(MPQemuLayout.payloadLimit) else {
            received.descriptors.forEach { close($0) }
            throw .broken(
                "message \(received.command) says its payload has \(size) bytes,"
                    + " over the limit of \(MPQemuLayout.payloadLimit)")
        }
        received.size = Int(size)
        do throws(Failure) {
            try receiveExactly(UnsafeMutableRawBufferPointer(rebasing: payload[..<received.size]))
        } catch {
            received.descriptors.forEach { close($0) }
            if case .closed = error {
                throw .broken("the VM closed the socket within the payload of message \(received.command)")
            }
            throw error
        }
        return received
    }

    private func receiveExactly(_ buffer: UnsafeMutableRawBufferPointer) throws(Failure) {
        var done = 0
        while done < buffer.count {
            let result = recv(descriptor, buffer.baseAddress! + done, buffer.count - done, 0)
            if result > 0 {
                done += result
            } else if result == 0 {
                throw .closed
            } else {
                try waitAfter(Errno.current)
            }
        }
    }

    /// Sends `RET` carrying `value` (`MPQEMU_CMD_RET`, `size` 8).
    func reply(_ value: UInt64) throws(Failure) {
        let header = MPQemuLayout.header(command: MPQemuCommand.reply.rawValue, size: 8)
        var message = (header.0, header.1, value.littleEndian)
        try withUnsafeBytes(of: &message) { (bytes) throws(Failure) in
            var done = 0
            while done < MPQemuLayout.replySize {
                let result = send(
                    descriptor, bytes.baseAddress! + done, MPQemuLayout.replySize - done, Int32(MSG_NOSIGNAL))
                if result >= 0 {
                    done += result
                } else {
                    try waitAfter(Errno.current, for: Int16(POLLOUT))
                }
            }
        }
    }

    /// Waits until the socket is ready again after `error`, or says why not.
    ///
    /// The corresponding C function is `poll`.
    func waitAfter(_ error: Errno, for events: Int16 = Int16(POLLIN)) throws(Failure) {
        switch error {
        case .interrupted:
            return
        case .wouldBlock:
            var watched = [
                pollfd(fd: descriptor, events: events, revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&watched, 2, -1) >= 0 || Errno.current == .interrupted else {
                throw .broken("poll: \(Errno.current)")
            }
            if watched[1].revents != 0 { throw .stopped }
        case .connectionReset, .brokenPipe:
            throw .closed
        default:
            throw .broken("the socket failed: \(error)")
        }
    }
}
