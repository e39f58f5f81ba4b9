import Synchronization

/// What the reactors know of a port: a netdev or a NIC that frames enter the
/// engine from and leave it through.
package struct PortDescription {
    /// The reactor that reads and writes the port.
    let home: Int
    let kind: PortKind
    /// Set while the port is a NIC whose queue holds frames it could not
    /// take: its sources stop reading, as QEMU's do.
    let blocked: UnsafeMutablePointer<Atomic<Bool>>?
    /// QEMU reads this port only while its one peer can take a frame: a tap
    /// (`tap_send` asks `qemu_can_send_packet` before each read) whose frames
    /// go to a single port. Set by the fabric, which knows the routes.
    var readOnlyWhilePeerCanReceive = false
    /// The `-object filter-dump` captures of the port's netdev, chained.
    var capture: UnsafeMutablePointer<PacketCapture>?
    /// Whether any reactor may write frames to the port itself, from the
    /// slot it read them into, rather than queue them for the port's home
    /// reactor: a tap whose writes never wait (no `sndbuf=`), which no
    /// capture records. Set by the engine.
    var takesDirectWrites = false
    /// Whether every reactor may read the port, taking turns: a
    /// single-queue tap that no capture records. Set by the engine.
    var mayShareReads = false
    /// Whether the reactors do share its reads: they may, there are several,
    /// and every frame it reads goes to ports that take direct writes. Set by
    /// the fabric, which knows the routes.
    var readsShared = false
    /// Whether some port its frames go to has a vnet header, which a frame
    /// from a port without one must then carry empty. Set by the fabric.
    var reachesVnetHeaders = false

    // What the per-frame path asks of the port, stored: reading `kind`
    // copies the enum, and a NIC's case retains it.

    /// A tap with offloads on: the kernel hands over GSO frames up to 64 KiB
    /// and frames whose checksum is left to fill in.
    let hasOffloads: Bool
    /// Whether frames are read from the port one per read: a tap or a
    /// datagram socket.
    let readsFrames: Bool
    /// Bytes of vnet header before each frame the port reads or writes.
    let vnetHeaderSize: Int
    /// Whether a frame shorter than `Frame.shortest` read from the port is
    /// padded to it, as QEMU pads what it reads from a tap.
    let padsShortFrames: Bool
    /// Whether the port's writes are linked to keep their order: a tap with a
    /// bounded send buffer can park a write on poll. (A datagram socket's
    /// batch goes in one `sendmmsg`, in order.)
    let ordersWrites: Bool
    /// Whether frames may go to the port as a tap with offloads reads them:
    /// a tap with a vnet header takes GSO frames whatever its offloads.
    var takesGSOFrames: Bool { vnetHeaderSize > 0 }

    package init(home: Int, kind: PortKind, capture: UnsafeMutablePointer<PacketCapture>? = nil) {
        self.home = home
        self.kind = kind
        self.capture = capture
        switch kind {
        case .tap(let tap):
            (hasOffloads, readsFrames, vnetHeaderSize, blocked) = (tap.offloads, true, tap.vnetHeaderSize, nil)
            (padsShortFrames, ordersWrites) = (true, tap.ordersWrites)
        case .datagram:
            (hasOffloads, readsFrames, vnetHeaderSize, blocked) = (false, true, 0, nil)
            (padsShortFrames, ordersWrites) = (false, false)
        case .stream:
            (hasOffloads, readsFrames, vnetHeaderSize, blocked) = (false, false, 0, nil)
            (padsShortFrames, ordersWrites) = (false, false)
        case .nic(let nic):
            (hasOffloads, readsFrames, vnetHeaderSize, blocked) = (false, false, 0, nic.channel.blocked)
            (padsShortFrames, ordersWrites) = (false, false)
        }
    }

    /// The descriptors the reactor registers for the port as fixed files: a
    /// listener's connection slot, empty until a connection is accepted into
    /// it, comes before the listening socket.
    var fixedFiles: [Int32] {
        switch kind {
        case .tap(let tap): [tap.descriptor]
        case .datagram(let datagram): [datagram.descriptor]
        case .stream(let stream): stream.listening ? [-1, stream.descriptor] : [stream.descriptor]
        case .nic: []
        }
    }
}

/// What a port is, with what the reactors need to drive it. This is the one
/// description of a port inside the engine: `NetdevBackend` is what the
/// command line asked for, `NetdevPort` holds what was opened for it (and
/// makes its `PortKind`s), and each reactor keeps `LocalPort.Machinery`
/// beside it, the state a stream, datagram or NIC port needs.
package enum PortKind {
    case tap(Tap)
    case stream(Stream)
    case datagram(Datagram)
    /// An emulated NIC: it takes frames under its lock and hands back the
    /// frames its guest sends.
    case nic(E1000)

    /// A tap's queue: frames are read and written one per operation.
    package struct Tap {
        package let descriptor: Int32
        /// Bytes of vnet header before each frame read or written.
        package let vnetHeaderSize: Int
        /// A tap with a bounded send buffer can park a write on poll, so its
        /// writes are linked to keep the next from overtaking it.
        package let ordersWrites: Bool
        /// The kernel hands it GSO frames and partial checksums.
        package let offloads: Bool

        package init(descriptor: Int32, vnetHeaderSize: Int = 0, ordersWrites: Bool = false, offloads: Bool = false) {
            self.descriptor = descriptor
            self.vnetHeaderSize = vnetHeaderSize
            self.ordersWrites = ordersWrites
            self.offloads = offloads
        }
    }

    /// A stream socket carrying QEMU's framing: a 4-byte big-endian length
    /// before each frame.
    package struct Stream {
        package let descriptor: Int32
        /// A socket that connections to carry the stream are accepted on, one
        /// at a time, as QEMU's `listen=` and `server=on` do.
        package let listening: Bool
        /// A client's socket whose connection failed: it carries nothing,
        /// and frames sent to it are dropped.
        package var unconnected = false
        /// For a client whose connection was still being made as the engine
        /// started, the address the reactor connects the socket to; frames
        /// sent to it are dropped until it connects.
        package var connectingTo: SocketEndpoint?
    }

    /// A datagram socket, one frame per datagram.
    package struct Datagram {
        package let descriptor: Int32
        /// Where frames are sent; with none, the socket must be connected.
        package let destination: SocketEndpoint?
    }
}
