import Glibc
import SystemPackage

/// A `-netdev socket,fd=N`: a connected stream socket handed down by the
/// parent, carrying QEMU's framing (`net_socket_fd_init_stream`).
final class SocketNetdev {
    let descriptor: FileDescriptor

    /// Takes over descriptor `number`, in blocking mode: io_uring waits on
    /// blocking sockets by polling instead of failing.
    init(descriptor number: Int32) throws(EngineError) {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(number, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
            // QEMU's `net_socket_fd_init` words it so.
            throw EngineError("can't get socket option SO_TYPE")
        }
        guard type == Int32(SOCK_STREAM.rawValue) else {
            throw EngineError("file descriptor \(number) is not a stream socket; datagram sockets are not supported yet")
        }
        let flags = fcntl(number, F_GETFL)
        guard flags >= 0, fcntl(number, F_SETFL, flags & ~O_NONBLOCK) == 0,
            fcntl(number, F_SETFD, FD_CLOEXEC) == 0
        else {
            throw EngineError("Can't use file descriptor \(number)", Errno.current)
        }
        descriptor = FileDescriptor(rawValue: number)
    }

    deinit {
        try? descriptor.close()
    }
}
