import TapRing

/// The segmenter fuzz target's input: the 12-byte virtio-net header a tap
/// with offloads puts before a frame, then the frame (at most what a large
/// slot holds). The frame is cut as a reactor cuts it for plain ports: each
/// segment into a slot of the size its `upcomingLength` asks for, and that
/// slot's room must be enough (the reactor counts on it). The frame and
/// each segment sit in heap buffers of exactly their size, so that
/// AddressSanitizer reports a byte read or written past them.
enum SegmenterProbe {
    static let smallRoom = 2048 - FrameArena.headroom
    static let largeRoom = FrameArena.largeSlotSize - FrameArena.headroom

    static func run(_ input: UnsafeRawBufferPointer) {
        guard input.count >= TapDevice.vnetHeaderBytes else { return }
        let header = VirtioNetHeader(at: input.baseAddress!)
        let length = min(input.count - TapDevice.vnetHeaderBytes, largeRoom)
        let frame = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 16)
        defer { frame.deallocate() }
        frame.copyMemory(from: input.baseAddress! + TapDevice.vnetHeaderBytes, byteCount: length)
        var segments = Segmenter(frame: frame, length: length, header: header)
        while let upcoming = segments.upcomingLength {
            let room = upcoming <= smallRoom ? smallRoom : largeRoom
            let segment = UnsafeMutableRawPointer.allocate(byteCount: room, alignment: 16)
            defer { segment.deallocate() }
            let written = segments.next(into: segment, capacity: room)
            precondition(written == upcoming, "a \(upcoming)-byte segment came out as \(String(describing: written))")
        }
    }
}
