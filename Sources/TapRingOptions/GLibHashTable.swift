/// The slots of a GLib 2.74 `GHashTable` of strings, as QEMU's visitors fill
/// it with an option's keys and empty it as members are read, kept only to
/// know which key is left first: `opts_check_struct()` and
/// `qobject_input_check_struct()` report the first leftover in the table's
/// slot order, which depends on the keys' hashes, the order they came and
/// went, and the table's resizes (`glib/ghash.c`).
struct GLibHashTable {
    private static let unused: UInt32 = 0
    private static let tombstone: UInt32 = 1
    /// `prime_mod[]`: the modulus for each table size, by its shift.
    private static let primeModulus: [UInt32] = [
        1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071, 262139, 524287,
        1048573, 2097143, 4194301, 8388593, 16777213, 33554393, 67108859, 134217689, 268435399, 536870909,
        1073741789, 2147483647,
    ]
    private static let minimumShift = 3

    private var hashes: [UInt32] = []
    private var keys: [String?] = []
    private var modulus: UInt32 = 1
    private var mask = 0
    private var nodes = 0
    private var occupied = 0

    init() {
        setShift(Self.minimumShift)
        hashes = Array(repeating: Self.unused, count: size)
        keys = Array(repeating: nil, count: size)
    }

    private var size: Int { mask + 1 }

    /// The first key in slot order (`g_hash_table_iter_next()`).
    var firstKey: String? { hashes.indices.first { hashes[$0] > Self.tombstone }.flatMap { keys[$0] } }

    /// `g_hash_table_insert()` of a key not yet there.
    mutating func insert(_ key: String) {
        let (slot, found, hash) = lookUp(key)
        guard !found else { return }
        let wasUnused = hashes[slot] == Self.unused
        (hashes[slot], keys[slot]) = (hash, key)
        nodes += 1
        if wasUnused {
            occupied += 1
            resizeIfNeeded()
        }
    }

    /// `g_hash_table_remove()`: the slot becomes a tombstone.
    mutating func remove(_ key: String) {
        let (slot, found, _) = lookUp(key)
        guard found else { return }
        (hashes[slot], keys[slot]) = (Self.tombstone, nil)
        nodes -= 1
        resizeIfNeeded()
    }

    /// `g_str_hash()`: djb2 over the bytes as signed chars, never 0 or 1.
    private static func hash(_ key: String) -> UInt32 {
        let hash = key.utf8.reduce(UInt32(5381)) { $0 &* 33 &+ UInt32(bitPattern: Int32(Int8(bitPattern: $1))) }
        return max(hash, 2)
    }

    private func index(of hash: UInt32) -> Int {
        Int((hash &* 11) % modulus)
    }

    /// `g_hash_table_lookup_node()`: the key's slot, or where it would go
    /// (the first tombstone on its probe sequence, else the unused slot).
    private func lookUp(_ key: String) -> (slot: Int, found: Bool, hash: UInt32) {
        let hash = Self.hash(key)
        var slot = index(of: hash)
        var step = 0
        var firstTombstone: Int?
        while hashes[slot] != Self.unused {
            if hashes[slot] == hash && keys[slot] == key { return (slot, true, hash) }
            if hashes[slot] == Self.tombstone && firstTombstone == nil { firstTombstone = slot }
            step += 1
            slot = (slot + step) & mask
        }
        return (firstTombstone ?? slot, false, hash)
    }

    /// `g_hash_table_maybe_resize()`: shrink below a quarter full, grow
    /// (and drop tombstones) at fifteen sixteenths.
    private mutating func resizeIfNeeded() {
        if (size > nodes * 4 && size > 1 << Self.minimumShift) || size <= occupied + occupied / 16 {
            resize()
        }
    }

    private mutating func setShift(_ shift: Int) {
        modulus = Self.primeModulus[shift]
        mask = (1 << shift) - 1
    }

    /// `g_hash_table_resize()` and `resize_map()`: the nodes are moved in
    /// place, in slot order, each to the first slot of its probe sequence
    /// not yet taken in this pass, evicting what was there to be moved next.
    private mutating func resize() {
        let oldSize = size
        // g_hash_table_set_shift_from_size(nnodes * 1.333), the closest
        // shift found by counting the bits of the truncated product.
        var wanted = Int(Double(nodes) * 1.333)
        var shift = 0
        while wanted != 0 { wanted >>= 1; shift += 1 }
        setShift(max(shift, Self.minimumShift))
        if size > oldSize {
            hashes += Array(repeating: Self.unused, count: size - oldSize)
            keys += Array(repeating: nil, count: size - oldSize)
        }
        var placed = Array(repeating: false, count: max(size, oldSize))
        for slot in 0..<oldSize {
            var hash = hashes[slot]
            if hash <= Self.tombstone {
                hashes[slot] = Self.unused
                continue
            }
            if placed[slot] { continue }
            hashes[slot] = Self.unused
            var key = keys[slot]
            keys[slot] = nil
            while true {
                var target = index(of: hash)
                var step = 0
                while placed[target] {
                    step += 1
                    target = (target + step) & mask
                }
                placed[target] = true
                let replaced = hashes[target]
                hashes[target] = hash
                swap(&key, &keys[target])
                if replaced <= Self.tombstone { break }
                hash = replaced
            }
        }
        if size < oldSize {
            hashes.removeLast(oldSize - size)
            keys.removeLast(oldSize - size)
        }
        occupied = nodes
    }
}
