import Foundation
import Testing

/// Whether the tests run under a sanitizer: `make tsan` and `make asan` say
/// so in `TAPRING_SANITIZER`.
enum Sanitizer {
    static let isActive = ProcessInfo.processInfo.environment["TAPRING_SANITIZER"] != nil

    /// Why a test that needs frames at a given rate is left out then.
    static let slowReason: Comment = """
        a sanitized build runs the e1000 guest model and the tester several times slower than the rates \
        this test asks for
        """
}
