import Testing

@testable import KairosCore

/// The sizes the documented per-profile memory budget rests on.
@Suite struct FeatureLayoutTests {
    @Test func cellsMarksAndTalliesKeepTheirSizes() {
        #expect(MemoryLayout<FeatureState.Cell>.stride == 16)
        #expect(MemoryLayout<FeatureState.Mark>.stride == 16)
        #expect(MemoryLayout<FeatureState.Tally>.stride == 24)
        #expect(MemoryLayout<SegmentSlots>.size == 16)
    }

    @Test func aMarkKeepsItsSlotAndTheLow48BitsOfItsHash() {
        let mark = FeatureState.Mark(time: -5, hash: 0xDEAD_BEEF_CAFE_F00D, slot: 0xFFFF)
        #expect(mark.slot == 0xFFFF)
        #expect(mark.hash == 0xBEEF_CAFE_F00D)
        #expect(mark.time == -5)
        #expect(FeatureState.Mark(time: 0, hash: 1, slot: 2) != FeatureState.Mark(time: 0, hash: 1, slot: 3))
    }

    @Test func aTallyCountSaturatesInsteadOfOverflowing() {
        var tally = FeatureState.Tally(slot: 1, bucket: 7, count: 70_000, value: "shoes")
        #expect(tally.count == 65_535)
        tally.count = 3
        tally.count += 1
        #expect(tally.count == 4)
        tally.count = 65_535
        tally.count += 1
        #expect(tally.count == 65_535)
        #expect(tally.bucket == 7 && tally.slot == 1 && tally.value == "shoes")
    }

    @Test func segmentSlotsStayInlineUpToThreeThenSpillAndComeBack() {
        var slots: SegmentSlots = []
        #expect(slots.isEmpty && slots.heapBytes == 0)
        for slot: UInt16 in [7, 0, 65_535] { slots.append(slot) }
        #expect(Array(slots) == [7, 0, 65_535])
        #expect(slots.heapBytes == 0)
        slots.append(42)
        #expect(Array(slots) == [7, 0, 65_535, 42])
        #expect(slots.heapBytes > 0)
        #expect(slots.firstIndex(of: 42) == 3)
        slots.remove(at: 1)
        #expect(Array(slots) == [7, 65_535, 42])
        #expect(slots.heapBytes == 0)
        slots.removeAll { $0 > 100 }
        #expect(Array(slots) == [7, 42])
        #expect(slots == [7, 42])
        #expect(slots != [42, 7])
        slots.remove(at: 0)
        slots.remove(at: 0)
        #expect(slots.isEmpty && slots == SegmentSlots())
        // Inline removals at each place keep the others in order.
        for position in 0..<3 {
            var three: SegmentSlots = [10, 20, 30]
            three.remove(at: position)
            #expect(Array(three) == [10, 20, 30].enumerated().filter { $0.offset != position }.map(\.element))
            three.append(40)
            #expect(three.count == 3 && three.last == 40)
        }
        // Many memberships, in order, through the heap.
        var many = SegmentSlots()
        for slot in UInt16(0)..<200 { many.append(slot) }
        #expect(Array(many) == Array(0..<200))
    }
}
