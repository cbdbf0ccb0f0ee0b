import Testing

@testable import KairosCore

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequenceAndStreamsDiffer() {
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        var c = SeededGenerator(seed: 10)
        #expect(first != (0..<100).map { _ in c.next() })
        var d = SeededGenerator(seed: 9, 1, 2)
        var e = SeededGenerator(seed: 9, 2, 1)
        #expect(d.next() != e.next())
        // Pinned to xoshiro256** seeded by splitmix64: the sequence must not change between releases.
        var pinned = SeededGenerator(seed: 1)
        #expect(pinned.next() == 0xB3F2_AF6D_0FC7_10C5)
    }

    @Test func helpersStayInRangeAndHaveTheRightMeans() {
        var rng = SeededGenerator(seed: 3)
        var sum = 0.0
        var poisson = 0
        var exponential = 0.0
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<20_000 {
            let value = rng.nextDouble()
            #expect(value >= 0 && value < 1)
            sum += value
            counts[rng.nextInt(below: 5)] += 1
            poisson += rng.nextPoisson(mean: 2.5)
            exponential += rng.nextExponential(mean: 4)
        }
        #expect(abs(sum / 20_000 - 0.5) < 0.01)
        #expect(counts.allSatisfy { abs($0 - 4000) < 300 })
        #expect(abs(Double(poisson) / 20_000 - 2.5) < 0.1)
        #expect(abs(exponential / 20_000 - 4) < 0.2)
        #expect(rng.nextPoisson(mean: 0) == 0)
        let picks = (0..<1000).map { _ in rng.pick(cumulative: [1, 1, 4]) }
        #expect(!picks.contains(1))
        #expect(picks.filter { $0 == 2 }.count > 650)
    }
}
