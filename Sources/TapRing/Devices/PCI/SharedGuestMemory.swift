import Glibc
import SystemPackage

/// Guest RAM that a VM shares as files (the memfds of a
/// `memory-backend-memfd`), mapped into this process: the table of
/// multi-process QEMU's `SYNC_SYSMEM`, or of vfio-user's `DMA_MAP`.
///
/// Each distinct file is mapped once, shared, however many regions it
/// backs. The mappings last as long as the table, or a later table that
/// reuses them.
public final class SharedGuestMemory: @unchecked Sendable {
    /// One range of guest-physical memory: `byteCount` bytes at
    /// `guestAddress`, backed by the file `descriptor` from `fileOffset`.
    public struct Region: Sendable {
        public var guestAddress: UInt64
        public var byteCount: UInt64
        public var fileOffset: UInt64
        public var descriptor: Int32

        public init(guestAddress: UInt64, byteCount: UInt64, fileOffset: UInt64, descriptor: Int32) {
            self.guestAddress = guestAddress
            self.byteCount = byteCount
            self.fileOffset = fileOffset
            self.descriptor = descriptor
        }
    }

    /// The region table devices reach guest memory through.
    public let memory: GuestMemory
    private let mappings: [FileMapping]

    /// No guest memory: every DMA is refused.
    public init() {
        memory = try! GuestMemory(regions: [])
        mappings = []
    }

    /// Maps `regions`, reusing the mappings of `earlier` for files it
    /// mapped already. Every region must lie inside its file: a region past
    /// the end of a memfd would raise SIGBUS on the first DMA into it. The
    /// descriptors stay the caller's to close.
    ///
    /// The corresponding C functions are `fstat` and `mmap`.
    public init(regions: [Region], reusing earlier: SharedGuestMemory? = nil) throws(DeviceError) {
        // The file behind each region, and how far into each file regions reach.
        var identities: [FileMapping.Identity] = []
        var ends: [FileMapping.Identity: UInt64] = [:]
        for region in regions {
            guard region.byteCount > 0, region.byteCount <= UInt64(Int.max) else {
                throw DeviceError("has \(region.byteCount) bytes", object: "the region at \(hex: region.guestAddress)")
            }
            let what = "the region at \(hex: region.guestAddress): descriptor \(region.descriptor)"
            var status = stat()
            guard fstat(region.descriptor, &status) == 0 else {
                throw DeviceError("cannot be examined", object: what, errno: .current)
            }
            guard status.st_mode & S_IFMT == S_IFREG else { throw DeviceError("is not a file", object: what) }
            let size = UInt64(status.st_size)
            let (end, overflow) = region.fileOffset.addingReportingOverflow(region.byteCount)
            guard !overflow, end <= size else {
                throw DeviceError(
                    "of \(region.byteCount) bytes from offset \(hex: region.fileOffset) runs past the end of its file"
                        + " (\(size) bytes)", object: "the region at \(hex: region.guestAddress)")
            }
            let identity = FileMapping.Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
            identities.append(identity)
            ends[identity] = max(ends[identity] ?? 0, end)
        }
        var mappings: [FileMapping] = []
        var hostRegions: [GuestMemory.Region] = []
        for (region, identity) in zip(regions, identities) {
            let end = ends[identity]!
            let mapping: FileMapping
            if let mapped = mappings.first(where: { $0.identity == identity }) {
                mapping = mapped
            } else if let kept = earlier?.mappings.first(where: { $0.identity == identity && $0.byteCount >= end }) {
                mapping = kept
                mappings.append(kept)
            } else {
                mapping = try FileMapping(descriptor: region.descriptor, byteCount: end, identity: identity)
                mappings.append(mapping)
            }
            hostRegions.append(GuestMemory.Region(
                guestAddress: region.guestAddress, byteCount: Int(region.byteCount),
                host: mapping.base + Int(region.fileOffset)))
        }
        memory = try GuestMemory(regions: hostRegions)
        self.mappings = mappings
    }

    /// How many files are mapped.
    public var fileCount: Int { mappings.count }
}

/// One file mapped shared, read and write, from its start.
private final class FileMapping {
    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    let base: UnsafeMutableRawPointer
    let byteCount: UInt64
    let identity: Identity

    init(descriptor: Int32, byteCount: UInt64, identity: Identity) throws(DeviceError) {
        let address = mmap(nil, Int(byteCount), PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw DeviceError("could not be mapped (\(byteCount) bytes)", object: "descriptor \(descriptor)",
                errno: .current)
        }
        base = address
        self.byteCount = byteCount
        self.identity = identity
    }

    deinit {
        munmap(base, Int(byteCount))
    }
}
