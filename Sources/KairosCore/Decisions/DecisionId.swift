/// Decision ids: UUID version 7 (RFC 9562), the time in milliseconds first, then random bits. Ids
/// made in time order sort in time order, so the decision log appends at the end of its index
/// instead of writing all over it.
public enum DecisionId {
    /// A new id for a decision made at `time`, as lowercase text (`0193…-7…-8…-…`).
    public static func make(at time: Millis) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: time, random: generator.next(), generator.next())
    }

    static func make(at time: Millis, random high: UInt64, _ low: UInt64) -> String {
        let millis = UInt64(max(0, time)) & 0xFFFF_FFFF_FFFF
        // 48 bits of time, version 7, 12 random bits; variant 10, 62 random bits.
        let first = millis << 16 | 0x7000 | (high & 0x0FFF)
        let second = 0x8000_0000_0000_0000 | (low & 0x3FFF_FFFF_FFFF_FFFF)
        let hex = Hex.encode(bytes(first) + bytes(second))
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }

    private static func bytes(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
}
