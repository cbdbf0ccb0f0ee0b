import Synchronization

/// Decision ids: UUID version 7 (RFC 9562), the time in milliseconds first, then random bits. Ids
/// made in time order sort in time order, so the decision log appends at the end of its index
/// instead of writing all over it.
public enum DecisionId {
    /// SplitMix64 state, seeded once from the system's generator: the random bits of an id need
    /// to be unique, not secret, and a system call per id costs more than the rest of it.
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// A new id for a decision made at `time`, as lowercase text (`0193…-7…-8…-…`).
    public static func make(at time: Millis) -> String {
        let base = state.wrappingAdd(2 &* 0x9E37_79B9_7F4A_7C15, ordering: .relaxed).oldValue
        return make(at: time, random: mix(base &+ 0x9E37_79B9_7F4A_7C15), mix(base &+ 2 &* 0x9E37_79B9_7F4A_7C15))
    }

    /// SplitMix64's finaliser.
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func make(at time: Millis, random high: UInt64, _ low: UInt64) -> String {
        let millis = UInt64(max(0, time)) & 0xFFFF_FFFF_FFFF
        // 48 bits of time, version 7, 12 random bits; variant 10, 62 random bits.
        let first = millis << 16 | 0x7000 | (high & 0x0FFF)
        let second = 0x8000_0000_0000_0000 | (low & 0x3FFF_FFFF_FFFF_FFFF)
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            func write(_ value: UInt64, nibbles: Int, from shift: Int) {
                for index in 0..<nibbles {
                    let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift - 4 * index)) & 0x0F
                    text[position] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
                    position += 1
                }
            }
            func dash() {
                text[position] = UInt8(ascii: "-")
                position += 1
            }
            write(first, nibbles: 8, from: 60)
            dash()
            write(first, nibbles: 4, from: 28)
            dash()
            write(first, nibbles: 4, from: 12)
            dash()
            write(second, nibbles: 4, from: 60)
            dash()
            write(second, nibbles: 12, from: 44)
            return position
        }
    }
}
