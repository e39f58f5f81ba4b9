import CTapRing
import Glibc

/// A failure of a C entry point: the status it returns and the message
/// `tapring_last_error()` gives.
struct CallFailure: Error {
    var status: tapring_status
    var message: String

    init(_ status: tapring_status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func argument(_ message: String) -> CallFailure { CallFailure(TAPRING_ERR_ARGUMENT, message) }
    static func state(_ message: String) -> CallFailure { CallFailure(TAPRING_ERR_STATE, message) }
}

/// The calling thread's last error message, as a C string it owns.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { free($0) }
        return key
    }()

    static func set(_ message: String) {
        free(pthread_getspecific(key))
        pthread_setspecific(key, strdup(message))
    }

    /// The message; every thread has one once it has called in, "" before.
    static var message: UnsafePointer<CChar> {
        if pthread_getspecific(key) == nil { set("") }
        return UnsafePointer(pthread_getspecific(key)!.assumingMemoryBound(to: CChar.self))
    }
}

/// Runs the body of a C entry point: TAPRING_OK and an empty last error,
/// or the failure's status and message.
func call(_ body: () throws(CallFailure) -> Void) -> Int32 {
    do {
        try body()
        LastError.set("")
        return TAPRING_OK.rawValue
    } catch {
        LastError.set(error.message)
        return error.status.rawValue
    }
}
