import CURing
import Glibc
import SystemPackage

/// An io_uring instance, owned by the one thread that submits to it; or,
/// where io_uring is unavailable, a `PollRing` that carries out the same
/// entries with `poll` and nonblocking system calls.
///
/// A thin wrapper over liburing: the ring lives at a fixed heap address so
/// that liburing's inline functions can be handed a stable pointer.
struct URing: ~Copyable {
    /// The kernel's ring; nil when emulated.
    let ring: UnsafeMutablePointer<io_uring>?
    let emulation: UnsafeMutablePointer<PollRing>?
    /// Whether completions wait for this thread to ask for them
    /// (`IORING_SETUP_DEFER_TASKRUN`), rather than interrupting it.
    let defersTaskRun: Bool

    /// Sets up a ring for the calling thread, preferring the flags that suit a
    /// single-threaded event loop, and falling back for older kernels; with
    /// `emulated`, a `PollRing` instead.
    ///
    /// The corresponding C function is `io_uring_queue_init_params`.
    init(entries: UInt32, completionEntries: UInt32, emulated: Bool = false) throws(Errno) {
        if emulated {
            let poll = UnsafeMutablePointer<PollRing>.allocate(capacity: 1)
            do throws(Errno) {
                poll.initialize(to: try PollRing(entries: Int(entries), completionEntries: Int(completionEntries)))
            } catch {
                poll.deallocate()
                throw error
            }
            ring = nil
            emulation = poll
            defersTaskRun = false
            return
        }
        let ring = UnsafeMutablePointer<io_uring>.allocate(capacity: 1)
        let base = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL
        let preferences: [(flags: UInt32, defers: Bool)] = [
            (base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, true),
            (base | IORING_SETUP_COOP_TASKRUN, false),
            (IORING_SETUP_CQSIZE, false),
        ]
        var failure = Errno.invalidArgument
        for preference in preferences {
            var parameters = io_uring_params()
            parameters.flags = preference.flags
            parameters.cq_entries = completionEntries
            let result = io_uring_queue_init_params(entries, ring, &parameters)
            if result == 0 {
                self.ring = ring
                emulation = nil
                defersTaskRun = preference.defers
                return
            }
            failure = Errno(completionResult: result)
            guard failure == .invalidArgument else { break }
        }
        ring.deallocate()
        throw failure
    }

    deinit {
        if let ring {
            io_uring_queue_exit(ring)
            ring.deallocate()
        }
        if let emulation {
            emulation.pointee.deallocate()
            emulation.deinitialize(count: 1)
            emulation.deallocate()
        }
    }

    /// The ring's descriptor, which other rings address with
    /// `IORING_OP_MSG_RING`: an eventfd when emulated.
    var descriptor: Int32 { ring?.pointee.ring_fd ?? emulation!.pointee.wakeDescriptor }

    /// Registers `buffer` as fixed buffer 0.
    ///
    /// The corresponding C function is `io_uring_register_buffers`.
    func registerBuffer(_ buffer: UnsafeMutableRawBufferPointer) throws(Errno) {
        // An emulated ring reads and writes plain addresses.
        guard let ring else { throw Errno.notSupported }
        var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        let result = io_uring_register_buffers(ring, &vector, 1)
        guard result == 0 else { throw Errno(completionResult: result) }
    }

    /// Registers `descriptors` as fixed files 0, 1, ...
    ///
    /// The corresponding C function is `io_uring_register_files`.
    func registerFiles(_ descriptors: [Int32]) throws(Errno) {
        guard let ring else { return emulation!.pointee.registerFiles(descriptors) }
        guard !descriptors.isEmpty else { return }
        let result = io_uring_register_files(ring, descriptors, UInt32(descriptors.count))
        guard result == 0 else { throw Errno(completionResult: result) }
    }

    /// Drops the fixed-file table and the references it holds.
    ///
    /// The corresponding C function is `io_uring_unregister_files`.
    func unregisterFiles() {
        guard let ring else { return emulation!.pointee.unregisterFiles() }
        _ = io_uring_unregister_files(ring)
    }

    /// Whether the kernel implements `opcode`.
    func supports(_ opcode: Int32) -> Bool {
        guard let ring else { return false }
        return curing_opcode_supported(ring, opcode) == 1
    }

    /// A free submission queue entry, submitting queued ones first if the
    /// queue is full.
    ///
    /// The corresponding C function is `io_uring_get_sqe`.
    @inline(__always)
    func nextSubmission() -> UnsafeMutablePointer<io_uring_sqe> {
        guard let ring else { return emulation!.pointee.nextSubmission() }
        while true {
            if let entry = io_uring_get_sqe(ring) { return entry }
            _ = io_uring_submit(ring)
        }
    }

    /// Submits queued entries and waits until at least one completion is ready.
    ///
    /// The corresponding C function is `io_uring_submit_and_wait`.
    @inline(__always)
    func submitAndWait() -> Int32 {
        guard let ring else {
            emulation!.pointee.submitAndWait()
            return 0
        }
        return io_uring_submit_and_wait(ring, 1)
    }

    /// Submits queued entries and collects finished work without waiting.
    ///
    /// The corresponding C function is `io_uring_submit_and_get_events`.
    @inline(__always)
    func submitAndCollect() -> Int32 {
        guard let ring else {
            emulation!.pointee.submitAndCollect()
            return 0
        }
        return io_uring_submit_and_get_events(ring)
    }

    /// Fills `batch` with pointers to ready completions and returns how many;
    /// `markSeen(_:)` hands them back to the kernel.
    ///
    /// The corresponding C function is `io_uring_peek_batch_cqe`.
    @inline(__always)
    func readyCompletions(into batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<io_uring_cqe>?>) -> Int {
        guard let ring else { return emulation!.pointee.readyCompletions(into: batch) }
        return Int(io_uring_peek_batch_cqe(ring, batch.baseAddress, UInt32(batch.count)))
    }

    /// Returns `count` consumed completions to the kernel.
    ///
    /// The corresponding C function is `io_uring_cq_advance`.
    @inline(__always)
    func markSeen(_ count: Int) {
        guard let ring else { return emulation!.pointee.markSeen(count) }
        io_uring_cq_advance(ring, UInt32(count))
    }
}
