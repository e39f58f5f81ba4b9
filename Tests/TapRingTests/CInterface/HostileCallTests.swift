import Foundation
import Glibc
import Testing

/// `tapring.h` as a hostile emulator calls it, from C: `Tests/CInterface/
/// hostile-calls.c`, built against the `libtapring` beside the test bundle,
/// with the sanitizer of the run when there is one, and run once per check.
@Suite
struct HostileCallTests {
    @Test(.enabled(if: HostileCalls.compiler != nil, "needs a C compiler (Debian: apt-get install gcc)"),
          arguments: ["destroy-race", "overflow", "interrupt-lines", "intx-and-io", "statistics-from-callback",
                      "transmit-after-stop", "deep-json", "help-request"])
    func keepsItsPromises(check: String) throws {
        // Each iteration starts an engine, so the sanitized builds do fewer.
        let arguments = check == "destroy-race" ? [check, Sanitizer.isActive ? "10" : "30"] : [check]
        let output = try Kernel.run(try HostileCalls.program.get(), arguments)
        #expect(output.contains("\(check): 0 failures"), "\(output)")
    }
}

enum HostileCalls {
    /// The C compiler: for a sanitized library, the clang of the Swift
    /// toolchain, whose sanitizer runtime the library needs.
    static let compiler: String? = {
        guard Sanitizer.isActive else { return access("/usr/bin/cc", X_OK) == 0 ? "/usr/bin/cc" : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/clang" }
            .first { access($0, X_OK) == 0 && access(($0 as NSString).deletingLastPathComponent + "/swift", X_OK) == 0 }
            ?? (access("/opt/swift/usr/bin/clang", X_OK) == 0 ? "/opt/swift/usr/bin/clang" : nil)
    }()

    /// The program, built once; a missing library or a compile error fails
    /// every check that needs it.
    static let program: Result<String, KernelError> = {
        let library = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("libTapRingC.so").path
        guard FileManager.default.fileExists(atPath: library) else {
            return .failure(KernelError("no \(library): build the package (swift build) before testing"))
        }
        // The library's soname is libtapring.so, as `make install` names it.
        let directory = NSTemporaryDirectory() + "tapring-hostile-calls-\(getpid())"
        let binary = directory + "/hostile-calls"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            ScratchFiles.removeAtExit(directory)
            try? FileManager.default.removeItem(atPath: directory + "/libtapring.so")
            try FileManager.default.createSymbolicLink(atPath: directory + "/libtapring.so",
                withDestinationPath: library)
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            var arguments = ["-O1", "-g", "-std=c11", "-Wall", "-Wextra", "-Werror",
                             "-I", root.appendingPathComponent("CShims/CTapRing/include").path,
                             "-o", binary, root.appendingPathComponent("Tests/CInterface/hostile-calls.c").path,
                             "-L", directory, "-ltapring", "-Wl,-rpath," + directory, "-lpthread"]
            if let sanitizer = ProcessInfo.processInfo.environment["TAPRING_SANITIZER"] {
                arguments.insert("-fsanitize=\(sanitizer)", at: 0)
                if sanitizer == "thread", let compiler {
                    // The toolchain's TSan runtime intercepts libdispatch, and needs it.
                    let runtime = URL(fileURLWithPath: compiler).deletingLastPathComponent()
                        .appendingPathComponent("../lib/swift/linux").standardized.path
                    arguments += ["-L", runtime, "-ldispatch", "-lBlocksRuntime", "-Wl,-rpath," + runtime]
                }
            }
            _ = try Kernel.run(compiler ?? "/usr/bin/cc", arguments)
            return .success(binary)
        } catch let error as KernelError {
            return .failure(error)
        } catch {
            return .failure(KernelError("building hostile-calls: \(error)"))
        }
    }()
}
