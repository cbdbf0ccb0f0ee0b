/// Decision ids: UUID version 7 (RFC 9562), the time in milliseconds first, then random bits. Ids
/// made in time order sort in time order, so the decision log appends at the end of its index
/// instead of writing all over it. The random bits come from the system's generator: outcomes name
/// their decision by id, so the ids of other people's decisions must not be guessable.
public enum DecisionId {
    /// A new id for a decision made at `time`, as lowercase text (`0193…-7…-8…-…`).
    public static func make(at time: Millis) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: time, random: generator.next(), generator.next())
    }

    /// The smallest id of the millisecond `time`: every id made earlier sorts before it.
    public static func lowerBound(at time: Millis) -> String {
        make(at: time, random: 0, 0)
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
