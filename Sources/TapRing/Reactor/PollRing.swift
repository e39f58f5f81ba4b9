import CLinux
import CURing
import Glibc
import SystemPackage

/// io_uring's submission and completion entries carried out in user space,
/// with nonblocking system calls and `poll`: the engine's back end where
/// io_uring is unavailable (`kernel.io_uring_disabled`, a container's
/// seccomp profile), so that the reactors run unchanged on top of it.
///
/// The reactor prepares entries with liburing's helpers as usual. The ring
/// carries each out when it is submitted if it can, and otherwise parks it
/// until `poll` says its descriptor is ready. A descriptor's reads, and its
/// writes, complete in the order they were submitted: an entry waits behind
/// an earlier one of the same direction on the same descriptor, which is
/// what io_uring's linked writes and the reactor's read batches rely on.
///
/// Supported: read (with `RWF_NOWAIT`, failing with `EAGAIN` rather than
/// parking), write (fixed buffers as plain ones), recv, sendmsg (finishing
/// partial stream sends), one-shot poll, accept and close into fixed-file
/// slots, absolute timeouts, message rings (an eventfd per ring) and
/// cancel-any. Not multishot reads or buffer rings: the engine does not ask.
struct PollRing {
    private var submissions: UnsafeMutablePointer<io_uring_sqe>
    private let submissionCapacity: Int
    private var queued = 0
    private var completions: UnsafeMutablePointer<io_uring_cqe>
    private var completionCapacity: Int
    private var completionHead = 0
    private var completionCount = 0
    /// The fixed-file table.
    private var files: [Int32] = []
    /// Entries that would have blocked, in submission order.
    private var parked: [Parked] = []
    private var timers: [(deadline: UInt64, userData: UInt64)] = []
    /// Descriptors made nonblocking already.
    private var nonblocking: Set<Int32> = []
    private var pollSet: [pollfd] = []
    /// What peers write to as this ring's `IORING_OP_MSG_RING` target.
    let wakeDescriptor: Int32

    private struct Parked {
        var entry: io_uring_sqe
        var descriptor: Int32
        var output: Bool
        /// Bytes a stream send has written so far.
        var sent = 0
    }

    /// What carrying out an entry came to.
    private enum Outcome {
        case done(Int32)
        case wouldBlock
        /// A stream send wrote this many bytes in all, then would block.
        case wouldBlockAfter(Int)
        /// Completed without a completion entry (`IOSQE_CQE_SKIP_SUCCESS`).
        case silent
    }

    init(entries: Int, completionEntries: Int) throws(Errno) {
        let wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wake >= 0 else { throw Errno.current }
        wakeDescriptor = wake
        submissionCapacity = max(entries, 8)
        submissions = .allocate(capacity: submissionCapacity)
        completionCapacity = max(completionEntries, 64)
        completions = .allocate(capacity: completionCapacity)
    }

    func deallocate() {
        submissions.deallocate()
        completions.deallocate()
        close(wakeDescriptor)
    }

    mutating func registerFiles(_ descriptors: [Int32]) {
        files = descriptors
    }

    mutating func unregisterFiles() {
        files = []
    }

    // MARK: Submission

    mutating func nextSubmission() -> UnsafeMutablePointer<io_uring_sqe> {
        if queued == submissionCapacity { submit() }
        let entry = submissions + queued
        entry.initialize(to: io_uring_sqe())
        queued += 1
        return entry
    }

    /// Carries out the queued entries and whatever parked ones became ready.
    mutating func submitAndCollect() {
        submit()
        waitForReadiness(timeout: 0)
    }

    /// Carries out the queued entries and waits until at least one entry
    /// completes, a peer rings, or a timer is due.
    mutating func submitAndWait() {
        submit()
        while completionCount == 0 {
            if waitForReadiness(timeout: nextTimeout()) { return }
        }
    }

    private mutating func submit() {
        for index in 0..<queued {
            let entry = submissions[index]
            if entry.opcode == UInt8(IORING_OP_ASYNC_CANCEL.rawValue) {
                cancelAll()
                complete(entry.user_data, 0, entry: entry)
                continue
            }
            guard let descriptor = descriptor(of: entry) else {
                perform(entry, descriptor: -1, sent: 0)
                continue
            }
            let output = Self.isOutput(entry)
            var waiting = Parked(entry: entry, descriptor: descriptor, output: output)
            // A read that does not wait does not queue behind one that does.
            if !Self.waitsNever(entry), parked.contains(where: { $0.descriptor == descriptor && $0.output == output }) {
                parked.append(waiting)
                continue
            }
            switch perform(entry, descriptor: descriptor, sent: 0) {
            case .wouldBlock:
                parked.append(waiting)
            case .wouldBlockAfter(let sent):
                waiting.sent = sent
                parked.append(waiting)
            case .done, .silent:
                break
            }
        }
        queued = 0
        fireTimers()
    }

    /// The descriptor an entry works on, made nonblocking; nil for entries
    /// on none (timeouts, message rings, closes).
    private mutating func descriptor(of entry: io_uring_sqe) -> Int32? {
        switch UInt32(entry.opcode) {
        case IORING_OP_TIMEOUT.rawValue, IORING_OP_MSG_RING.rawValue, IORING_OP_CLOSE.rawValue:
            return nil
        default:
            let descriptor = entry.flags & CURING_IOSQE_FIXED_FILE != 0
                ? (Int(entry.fd) < files.count ? files[Int(entry.fd)] : -1) : entry.fd
            if descriptor >= 0 && nonblocking.insert(descriptor).inserted {
                let flags = fcntl(descriptor, F_GETFL)
                if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
            }
            return descriptor
        }
    }

    /// Whether `entry` is a read that fails with `EAGAIN` rather than wait.
    private static func waitsNever(_ entry: io_uring_sqe) -> Bool {
        switch UInt32(entry.opcode) {
        case IORING_OP_READ.rawValue, IORING_OP_READ_FIXED.rawValue: entry.rw_flags & CURING_RWF_NOWAIT != 0
        default: false
        }
    }

    /// Whether `entry` waits for room to write: a write, a send, or a poll
    /// for room (a datagram socket's, which had none for its batch).
    private static func isOutput(_ entry: io_uring_sqe) -> Bool {
        switch UInt32(entry.opcode) {
        case IORING_OP_WRITE.rawValue, IORING_OP_WRITE_FIXED.rawValue, IORING_OP_SENDMSG.rawValue: true
        case IORING_OP_POLL_ADD.rawValue: entry.poll32_events & UInt32(POLLOUT) != 0
        default: false
        }
    }

    /// Carries out `entry` on `descriptor` and posts its completion, unless
    /// it would block; `sent` is what a stream send wrote before.
    @discardableResult
    private mutating func perform(_ entry: io_uring_sqe, descriptor: Int32, sent: Int) -> Outcome {
        let outcome = attempt(entry, descriptor: descriptor, sent: sent)
        if case .done(let result) = outcome { complete(entry.user_data, result, entry: entry) }
        return outcome
    }

    private mutating func attempt(_ entry: io_uring_sqe, descriptor: Int32, sent: Int) -> Outcome {
        let address = UnsafeMutableRawPointer(bitPattern: UInt(entry.addr))
        let length = Int(entry.len)
        switch UInt32(entry.opcode) {
        case IORING_OP_READ.rawValue, IORING_OP_READ_FIXED.rawValue:
            let outcome = Self.outcome(read(descriptor, address, length))
            if case .wouldBlock = outcome, Self.waitsNever(entry) { return .done(-EAGAIN) }
            return outcome
        case IORING_OP_POLL_ADD.rawValue:
            var request = pollfd(fd: descriptor, events: Int16(truncatingIfNeeded: entry.poll32_events), revents: 0)
            guard poll(&request, 1, 0) > 0 else { return .wouldBlock }
            return .done(Int32(request.revents))
        case IORING_OP_WRITE.rawValue, IORING_OP_WRITE_FIXED.rawValue:
            return Self.outcome(write(descriptor, address, length))
        case IORING_OP_RECV.rawValue:
            return Self.outcome(recv(descriptor, address, length, Int32(entry.msg_flags) | Int32(MSG_DONTWAIT)))
        case IORING_OP_SENDMSG.rawValue:
            return sendMessage(entry, descriptor: descriptor, sent: sent)
        case IORING_OP_ACCEPT.rawValue:
            // accept4() is GNU's; the flags follow with fcntl.
            let accepted = accept(descriptor, nil, nil)
            guard accepted >= 0 else { return Self.outcome(-1) }
            _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
            return .done(install(accepted, at: Int(entry.file_index) - 1))
        case IORING_OP_CLOSE.rawValue:
            let slot = Int(entry.file_index) - 1
            guard files.indices.contains(slot), files[slot] >= 0 else { return .done(-EBADF) }
            nonblocking.remove(files[slot])
            close(files[slot])
            files[slot] = -1
            return .done(0)
        case IORING_OP_MSG_RING.rawValue:
            if let error = EventCounter(descriptor: entry.fd).signal() { return .done(-error.rawValue) }
            return entry.flags & CURING_IOSQE_CQE_SKIP_SUCCESS != 0 ? .silent : .done(0)
        case IORING_OP_TIMEOUT.rawValue:
            let deadline = UnsafePointer<__kernel_timespec>(bitPattern: UInt(entry.addr))!.pointee
            timers.append((UInt64(deadline.tv_sec) * 1_000_000_000 + UInt64(deadline.tv_nsec), entry.user_data))
            return .silent
        default:
            return .done(-EINVAL)
        }
    }

    /// A `sendmsg` whose every byte goes out when it asks for `MSG_WAITALL`,
    /// as io_uring finishes a partial stream send before completing it.
    private mutating func sendMessage(_ entry: io_uring_sqe, descriptor: Int32, sent: Int) -> Outcome {
        let message = UnsafePointer<msghdr>(bitPattern: UInt(entry.addr))!.pointee
        let flags = Int32(entry.msg_flags)
        let whole = flags & Int32(MSG_WAITALL) != 0
        let vectors = UnsafeBufferPointer(start: message.msg_iov, count: Int(message.msg_iovlen))
        let total = vectors.reduce(0) { $0 + $1.iov_len }
        var done = sent
        while true {
            var remaining = Array(vectors)
            var skip = done
            while let first = remaining.first, skip >= first.iov_len {
                skip -= first.iov_len
                remaining.removeFirst()
            }
            if skip > 0 {
                remaining[0] = iovec(iov_base: remaining[0].iov_base! + skip, iov_len: remaining[0].iov_len - skip)
            }
            let result = remaining.withUnsafeMutableBufferPointer { pieces in
                var partial = message
                partial.msg_iov = pieces.baseAddress
                partial.msg_iovlen = pieces.count
                return sendmsg(descriptor, &partial, (flags & ~Int32(MSG_WAITALL)) | Int32(MSG_DONTWAIT))
            }
            if result < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK else { return .done(-errno) }
                return done == sent ? .wouldBlock : .wouldBlockAfter(done)
            }
            done += result
            if !whole || done >= total { return .done(Int32(clamping: done)) }
        }
    }

    private mutating func install(_ descriptor: Int32, at slot: Int) -> Int32 {
        guard slot >= 0 else {
            close(descriptor)
            return -EINVAL
        }
        if slot >= files.count { files += [Int32](repeating: -1, count: slot + 1 - files.count) }
        if files[slot] >= 0 { close(files[slot]) }
        files[slot] = descriptor
        nonblocking.insert(descriptor)
        return 0
    }

    private static func outcome(_ result: Int) -> Outcome {
        if result >= 0 { return .done(Int32(clamping: result)) }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .done(-errno)
    }

    // MARK: Waiting

    /// Polls the parked entries' descriptors and the wake eventfd for up to
    /// `timeout` milliseconds (-1: no limit) and carries out what became
    /// ready; true when a peer rang.
    @discardableResult
    private mutating func waitForReadiness(timeout: Int32) -> Bool {
        pollSet.removeAll(keepingCapacity: true)
        pollSet.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0))
        for entry in parked {
            let events = Int16(entry.output ? POLLOUT : POLLIN)
            if let index = pollSet.firstIndex(where: { $0.fd == entry.descriptor }) {
                pollSet[index].events |= events
            } else {
                pollSet.append(pollfd(fd: entry.descriptor, events: events, revents: 0))
            }
        }
        let ready = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
        var rang = false
        if ready > 0 {
            if pollSet[0].revents != 0 {
                var count: UInt64 = 0
                _ = read(wakeDescriptor, &count, 8)
                rang = true
            }
            for entry in pollSet.dropFirst() where entry.revents != 0 {
                resume(entry.fd, output: false)
                resume(entry.fd, output: true)
            }
        }
        fireTimers()
        return rang
    }

    /// Carries out the parked entries of one descriptor and direction in
    /// order, up to the first that would still block.
    private mutating func resume(_ descriptor: Int32, output: Bool) {
        var index = 0
        while index < parked.count {
            guard parked[index].descriptor == descriptor, parked[index].output == output else {
                index += 1
                continue
            }
            let waiting = parked[index]
            switch perform(waiting.entry, descriptor: descriptor, sent: waiting.sent) {
            case .wouldBlock:
                return
            case .wouldBlockAfter(let done):
                parked[index].sent = done
                return
            case .done, .silent:
                parked.remove(at: index)
            }
        }
    }

    private mutating func fireTimers() {
        guard !timers.isEmpty else { return }
        let now = monotonicNanoseconds()
        guard timers.contains(where: { $0.deadline <= now }) else { return }
        let due = timers.filter { $0.deadline <= now }
        timers.removeAll { $0.deadline <= now }
        for timer in due { complete(timer.userData, -ETIME) }
    }

    /// Milliseconds until the next timer, rounded up; -1 without one.
    private func nextTimeout() -> Int32 {
        guard let next = timers.map(\.deadline).min() else { return -1 }
        let now = monotonicNanoseconds()
        return next <= now ? 0 : Int32(clamping: (next - now + 999_999) / 1_000_000)
    }

    private mutating func cancelAll() {
        for entry in parked { complete(entry.entry.user_data, -ECANCELED) }
        parked.removeAll()
        for timer in timers { complete(timer.userData, -ECANCELED) }
        timers.removeAll()
    }

    // MARK: Completion

    private mutating func complete(_ userData: UInt64, _ result: Int32, entry: io_uring_sqe? = nil) {
        if let entry, result >= 0, entry.flags & CURING_IOSQE_CQE_SKIP_SUCCESS != 0 { return }
        if completionCount == completionCapacity { grow() }
        var completion = io_uring_cqe()
        completion.user_data = userData
        completion.res = result
        completions[(completionHead + completionCount) % completionCapacity] = completion
        completionCount += 1
    }

    /// Doubles the completion queue. Only while the reactor holds no
    /// completions: it takes them all before it submits again.
    private mutating func grow() {
        let larger = UnsafeMutablePointer<io_uring_cqe>.allocate(capacity: 2 * completionCapacity)
        for index in 0..<completionCount {
            larger[index] = completions[(completionHead + index) % completionCapacity]
        }
        completions.deallocate()
        completions = larger
        completionHead = 0
        completionCapacity *= 2
    }

    mutating func readyCompletions(into batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<io_uring_cqe>?>) -> Int {
        let count = min(completionCount, batch.count)
        for index in 0..<count {
            batch[index] = completions + (completionHead + index) % completionCapacity
        }
        return count
    }

    mutating func markSeen(_ count: Int) {
        completionHead = (completionHead + count) % completionCapacity
        completionCount -= count
    }
}
