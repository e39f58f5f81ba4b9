import Glibc

/// Runs `body` on a thread of its own with a stack of `bytes`, and waits
/// for it: parsers that recurse once per level of nesting in their input
/// (JSON to QEMU's 1,024 levels) must not depend on how small a stack the
/// caller's thread has, an emulator's vCPU thread say. The stack is address
/// space; only the pages the recursion touches are memory.
///
/// The corresponding C function is `pthread_create`, with `pthread_attr_setstacksize`.
func onDeepStack<Result, Failure: Error>(
    bytes: Int = 64 << 20, _ body: () throws(Failure) -> Result
) throws(Failure) -> Result {
    var outcome: Swift.Result<Result, Failure>?
    withoutActuallyEscaping(body) { body in
        var run = { outcome = Swift.Result { () throws(Failure) in try body() } }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, bytes)
        var thread = pthread_t()
        let started = withUnsafeMutablePointer(to: &run) { run in
            pthread_create(&thread, &attributes, { context in
                context!.assumingMemoryBound(to: (() -> Void).self).pointee()
                return nil
            }, run) == 0
        }
        if started {
            pthread_join(thread, nil)
        } else {
            // No thread to be had: the caller's stack will have to do.
            run()
        }
    }
    return try outcome!.get()
}
