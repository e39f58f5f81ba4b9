import Foundation
import Synchronization

/// Files the test process builds for itself once (helper programs), removed
/// when it exits, so that runs leave nothing in the temporary directory.
enum ScratchFiles {
    private static let paths = Mutex<[String]>([])
    private static let removalAtExit: Void = {
        atexit { ScratchFiles.removeAll() }
    }()

    static func removeAtExit(_ path: String) {
        _ = removalAtExit
        paths.withLock { $0.append(path) }
    }

    private static func removeAll() {
        for path in paths.withLock({ $0 }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
