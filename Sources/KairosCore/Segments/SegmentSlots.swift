/// The slots of the segments one profile is in, in joining order.
///
/// Most profiles are in a handful of segments: up to three slots are kept inline (no heap block,
/// which would cost ~48 bytes of header for 2 slots); more move to a heap array.
public struct SegmentSlots: Sendable, Equatable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// Up to three inline slots in the low 48 bits and their count in the top 16, or
    /// ``spilled`` when the slots are in ``heap``.
    private var inline: UInt64 = 0
    private var heap: [UInt16] = []

    private static let spilled: UInt64 = 0xFFFF << 48
    private static let inlineCapacity = 3

    /// No slots.
    public init() {}

    /// The given slots, in order.
    public init(arrayLiteral elements: UInt16...) {
        for element in elements { append(element) }
    }

    private var isSpilled: Bool { inline == Self.spilled }

    /// Always 0.
    public var startIndex: Int { 0 }
    /// The number of slots.
    public var endIndex: Int { isSpilled ? heap.count : Int(inline >> 48) }

    /// The slot at `position` (joining order).
    public subscript(position: Int) -> UInt16 {
        precondition(position >= 0 && position < endIndex, "segment slot index out of range")
        return isSpilled ? heap[position] : UInt16(truncatingIfNeeded: inline >> (16 * UInt64(position)))
    }

    /// Adds a slot at the end.
    public mutating func append(_ slot: UInt16) {
        if isSpilled {
            FeatureState.append(slot, to: &heap)
            return
        }
        let count = Int(inline >> 48)
        if count < Self.inlineCapacity {
            let shift = 16 * UInt64(count)
            inline = (inline & ~(0xFFFF << shift) & 0xFFFF_FFFF_FFFF) | UInt64(slot) << shift | UInt64(count + 1) << 48
        } else {
            var all = Array(self)
            all.append(slot)
            heap = all
            inline = Self.spilled
        }
    }

    /// Removes the slot at `position`, keeping the order of the others.
    public mutating func remove(at position: Int) {
        precondition(position >= 0 && position < endIndex, "segment slot index out of range")
        if isSpilled {
            heap.remove(at: position)
            if heap.count <= Self.inlineCapacity { self = SegmentSlots(heap) }  // back inline
            return
        }
        // Inline: the slots above `position` move down one place, without allocating.
        let shift = 16 * UInt64(position)
        let payload = inline & 0xFFFF_FFFF_FFFF
        let below = payload & ((1 << shift) - 1)
        let above = payload >> (shift + 16)
        inline = below | above << shift | UInt64(endIndex - 1) << 48
    }

    /// Removes the slots that match.
    public mutating func removeAll(where shouldBeRemoved: (UInt16) throws -> Bool) rethrows {
        guard try contains(where: shouldBeRemoved) else { return }
        self = SegmentSlots(try filter { try !shouldBeRemoved($0) })
    }

    init(_ slots: [UInt16]) {
        if slots.count > Self.inlineCapacity {
            heap = slots
            inline = Self.spilled
        } else {
            for slot in slots { append(slot) }
        }
    }

    /// The same slots in the same order, wherever they are kept.
    public static func == (lhs: SegmentSlots, rhs: SegmentSlots) -> Bool { lhs.elementsEqual(rhs) }

    /// Heap bytes beyond the struct itself (none while inline).
    var heapBytes: Int { isSpilled ? FeatureState.heapBytes(heap) : 0 }
}
