import CTapRing
import TapRing

/// Live engines by handle. A handle is an index and a generation packed into
/// the pointer-sized value C holds; it is never dereferenced, so a stale or
/// forged handle is found out by lookup instead of crashing.
final class HandleTable<Object: AnyObject & Sendable>: Sendable {
    private struct Entry {
        var generation: UInt32
        var object: Object?
    }

    // A pthread mutex, which ThreadSanitizer sees (see `PosixMutex`).
    private let entries = PosixMutex<[Entry]>([])

    /// Stores `object` and returns its handle.
    func insert(_ object: Object) -> OpaquePointer {
        entries.withLock { entries in
            let index = entries.firstIndex { $0.object == nil } ?? entries.endIndex
            if index == entries.endIndex { entries.append(Entry(generation: 0, object: nil)) }
            entries[index].generation &+= 1
            entries[index].object = object
            return Self.handle(index: index, generation: entries[index].generation)
        }
    }

    /// The object behind `handle`, kept alive for the caller.
    func object(_ handle: OpaquePointer?) throws(CallFailure) -> Object {
        let object = entries.withLock { entries -> Object? in
            guard let (index, generation) = Self.decode(handle), index < entries.count,
                entries[index].generation == generation
            else { return nil }
            return entries[index].object
        }
        guard let object else { throw CallFailure(TAPRING_ERR_HANDLE, "not a valid tapring_engine handle") }
        return object
    }

    /// Retires `handle`: later lookups fail; returns the object it named.
    func remove(_ handle: OpaquePointer?) throws(CallFailure) -> Object {
        let object = entries.withLock { entries -> Object? in
            guard let (index, generation) = Self.decode(handle), index < entries.count,
                entries[index].generation == generation
            else { return nil }
            defer { entries[index].object = nil }
            return entries[index].object
        }
        guard let object else { throw CallFailure(TAPRING_ERR_HANDLE, "not a valid tapring_engine handle") }
        return object
    }

    private static func handle(index: Int, generation: UInt32) -> OpaquePointer {
        // Index + 1, so that no handle is NULL.
        OpaquePointer(bitPattern: UInt(generation) << 32 | UInt(index + 1))!
    }

    private static func decode(_ handle: OpaquePointer?) -> (index: Int, generation: UInt32)? {
        guard let handle else { return nil }
        let bits = UInt(bitPattern: handle)
        let index = Int(bits & 0xFFFF_FFFF)
        guard index > 0 else { return nil }
        return (index - 1, UInt32(truncatingIfNeeded: bits >> 32))
    }
}
